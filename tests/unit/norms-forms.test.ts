import { parseProposal, parseRule, type StateValues } from '../../src/features/norms/forms';

const text = (value: string | null) => ({ type: 'plain_text_input', value });
const select = (value: string | null) => ({
  type: 'static_select',
  selected_option: value === null ? null : { value },
});

function proposal(fields: { kind?: string | null; norm?: string | null; title?: string; body?: string; why?: string }) {
  const values: StateValues = {
    kind: { kind: { ...select(fields.kind === undefined ? 'new' : fields.kind), type: 'radio_buttons' } },
    norm: { norm: select(fields.norm ?? null) },
    title: { title: text(fields.title ?? 'Cameras optional') },
    body: { body: text(fields.body ?? 'Nobody has to turn their camera on.') },
    rationale: { rationale: text(fields.why ?? 'Some of us call from noisy places.') },
  };
  return values;
}

describe('the proposal form', () => {
  const adopted = new Map([
    [4, 'Cameras on'],
    [5, 'Start on time'],
  ]);

  it('accepts a new norm, trimmed', () => {
    const result = parseProposal(proposal({ title: '  Cameras optional ' }), adopted, true);
    expect(result).toEqual({
      ok: true,
      value: {
        kind: 'new',
        normId: null,
        title: 'Cameras optional',
        body: 'Nobody has to turn their camera on.',
        rationale: 'Some of us call from noisy places.',
      },
    });
  });

  it.each([
    ['an empty title', { title: '' }, 'title', 'Please write a title.'],
    ['a whitespace-only title', { title: '   \n ' }, 'title', 'Please write a title.'],
    ['a title too long', { title: 'x'.repeat(151) }, 'title', 'Keep a title to 150 characters or fewer.'],
    ['no text for a new norm', { body: '  ' }, 'body', 'Please write the norm’s text.'],
    ['a text too long', { body: 'x'.repeat(2001) }, 'body', 'Keep the norm’s text to 2000 characters or fewer.'],
    ['no reason why', { why: '' }, 'rationale', 'Please write why it matters.'],
    ['a change without a norm', { kind: 'change' }, 'norm', 'Pick the norm to change or retire.'],
    ['a retirement without a norm', { kind: 'retire' }, 'norm', 'Pick the norm to change or retire.'],
    ['retiring a norm no longer adopted', { kind: 'retire', norm: '9' }, 'norm', 'That norm is no longer adopted'],
    ['no kind', { kind: null }, 'kind', 'Choose what you propose.'],
  ])('refuses %s', (_name, fields, block, message) => {
    const result = parseProposal(proposal(fields), adopted, true);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[block]).toContain(message);
  });

  it('reports every problem at once', () => {
    const result = parseProposal(proposal({ kind: 'change', title: ' ', body: '', why: '' }), adopted, true);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['body', 'norm', 'rationale', 'title']);
  });

  it('lets a retirement go without a text, and points at the kind when there is no norm picker', () => {
    expect(parseProposal(proposal({ kind: 'retire', norm: '5', body: '' }), adopted, true)).toMatchObject({
      ok: true,
      value: { kind: 'retire', normId: 5 },
    });
    const forged = parseProposal(proposal({ kind: 'change', norm: '4' }), new Map(), false);
    expect(forged.ok).toBe(false);
    if (!forged.ok) expect(forged.errors.kind).toContain('no longer adopted');
  });

  it('asks no title of a retirement: it is named after the norm it retires, and keeps no text', () => {
    const values = proposal({ kind: 'retire', norm: '5', why: 'We always start on time now.' });
    delete values.title;
    delete values.body;
    expect(parseProposal(values, adopted, true)).toEqual({
      ok: true,
      value: { kind: 'retire', normId: 5, title: 'Start on time', body: '', rationale: 'We always start on time now.' },
    });
  });

  it('still demands a title and a text of a change, whatever the form showed', () => {
    const values = proposal({ kind: 'change', norm: '4' });
    delete values.title;
    const result = parseProposal(values, adopted, true);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.title).toBe('Please write a title.');
  });

  it('a forged change of a norm that was never adopted is refused', () => {
    const forged = parseProposal(proposal({ kind: 'change', norm: '4' }), new Map(), false);
    expect(forged.ok).toBe(false);
    if (!forged.ok) expect(forged.errors.kind).toContain('no longer adopted');
  });
});

describe('the rule form', () => {
  const rule = (quorum: string | null, approval: string | null, days: string | null) => ({
    quorum: { quorum: select(quorum) },
    approval: { approval: select(approval) },
    window_days: { window_days: { type: 'number_input', value: days } },
  });

  it('reads exact fractions and days', () => {
    expect(parseRule(rule('1/3', '3/4', '14'))).toEqual({
      ok: true,
      value: { rule: { quorumNum: 1, quorumDen: 3, approvalNum: 3, approvalDen: 4 }, windowDays: 14 },
    });
  });

  it.each([
    [rule('2/5', '2/3', '7'), 'quorum'],
    [rule('1/2', null, '7'), 'approval'],
    [rule('1/2', '2/3', '0'), 'window_days'],
    [rule('1/2', '2/3', '31'), 'window_days'],
    [rule('1/2', '2/3', '2.5'), 'window_days'],
    [rule('1/2', '2/3', null), 'window_days'],
  ])('refuses bad input (%#)', (values, block) => {
    const result = parseRule(values);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[block]).toBeDefined();
  });
});
