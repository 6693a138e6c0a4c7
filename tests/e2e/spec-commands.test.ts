/**
 * Acceptance: the `/cop` commands table in SPEC.md (meetings are built elsewhere and skipped).
 */
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { buttonsIn, callsSince, findButton, proposeNorm, type Json } from '../support/spec';

const BUILT = ['help', 'setup', 'norms', 'propose', 'struggle', 'search'];

function inputInitial(view: Json, actionId: string): unknown {
  for (const block of (view.blocks ?? []) as Json[]) {
    const element = block.element as Json | undefined;
    if (block.type === 'input' && element?.action_id === actionId) return element.initial_value;
  }
  return undefined;
}

function inputActionIds(view: Json): string[] {
  return ((view.blocks ?? []) as Json[])
    .filter((b) => b.type === 'input')
    .map((b) => String((b.element as Json).action_id));
}

describe('SPEC: /cop commands', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'], others: ['U9'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it.each(['help', '', 'frobnicate', 'HELP'])(
    '"/cop %s" shows what each subcommand does, only to the asker',
    async (text) => {
      const mark = h.fake.calls.length;
      const result = await h.command('U2', text);
      expect(result.status).toBe(200);
      const help = h.lastResponseText();
      for (const sub of BUILT) expect(help).toContain(`/cop ${sub}`);
      expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
      // Nothing goes to the channel.
      expect(callsSince(h, mark).filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
    },
  );

  it('/cop norms lists the adopted norms, numbered, and the open proposals with their tallies, with a "Propose a norm" button', async () => {
    const first = await proposeNorm(h, 'U1', 'Be on time', 'Start meetings on the minute.');
    await h.react('U1', '+1', first.ts);
    await h.react('U2', '+1', first.ts);
    const second = await proposeNorm(h, 'U2', 'Cameras optional', 'Nobody has to turn a camera on.');
    await h.react('U1', '+1', second.ts);
    await h.react('U3', '+1', second.ts);
    const open = await proposeNorm(h, 'U3', 'No meetings on Friday');
    await h.react('U1', '+1', open.ts);
    await h.react('U2', '-1', open.ts);

    await h.command('U3', 'norms');
    const reply = h.responses().at(-1)!.params;
    expect(reply.response_type).toBe('ephemeral');
    const shown = textOf(reply);
    expect(shown).toMatch(/1\.\s*\*?Be on time/);
    expect(shown).toMatch(/2\.\s*\*?Cameras optional/);
    expect(shown).toContain('Start meetings on the minute.');
    expect(shown).toContain('No meetings on Friday');
    // Its tally: one for, one against.
    const line = shown.split('\n').find((l) => /1\D+support/i.test(l) && /1\D+object/i.test(l));
    expect(line).toBeDefined();

    const propose = findButton(reply, /^propose a norm$/i);
    const mark = h.fake.calls.length;
    await h.clickButton('U3', propose.action_id, propose.value);
    const opened = callsSince(h, mark).find((c) => c.method === 'views.open');
    expect(opened).toBeDefined();
    expect(inputActionIds(opened!.params.view as Json).length).toBeGreaterThan(0);
  });

  it('/cop propose [title] opens the proposal modal with the title prefilled; the proposal is posted in the home channel', async () => {
    await h.command('U2', 'propose Pair on hard problems');
    const view = h.lastOpenedView();
    expect(textOf({ view } as Json)).toMatch(/propos/i);
    const titleInput = inputActionIds(view).find((id) => inputInitial(view, id) === 'Pair on hard problems');
    expect(titleInput).toBeDefined();

    const result = await h.submitView('U2', view, {
      body: 'Ask for a pair when stuck for an hour.',
      rationale: 'Faster.',
    });
    expect(result.status).toBe(200);
    const post = h.fake.callsOf('chat.postMessage').find((c) => /Pair on hard problems/.test(textOf(c.params)))!;
    expect(post.params.channel).toBe(HOME_CHANNEL);
    expect(textOf(post.params)).toContain('Ask for a pair when stuck for an hour.');
    const texts = buttonsIn(post.params.blocks).map((b) => b.text);
    expect(texts.some((t) => /support/i.test(t))).toBe(true);
    expect(texts.some((t) => /object/i.test(t))).toBe(true);
  });

  it('/cop propose without a title opens the modal empty; an empty title is refused in the modal and nothing is stored', async () => {
    await h.command('U2', 'propose');
    const view = h.lastOpenedView();
    const ids = inputActionIds(view);
    for (const id of ids) expect(inputInitial(view, id) ?? '').toBe('');
    const title = ids.find((id) => /title/i.test(id))!;
    const result = await h.submitView('U2', view, { [title]: '   ', body: 'x', rationale: 'y' });
    expect(result.json().response_action).toBe('errors');
    expect(await h.db.selectFrom('proposals').selectAll().execute()).toHaveLength(0);
  });

  it('/cop propose can propose a change to, or the retirement of, an adopted norm', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Reply in threads', 'Keep the channel readable.');
    await h.react('U1', '+1', ts);
    await h.react('U2', '+1', ts);

    await h.command('U2', 'propose Reply in threads, mostly');
    const view = h.lastOpenedView();
    const shown = JSON.stringify(view);
    expect(shown).toMatch(/change/i);
    expect(shown).toMatch(/retire/i);
  });

  it('/cop struggle [text] opens the anonymous struggle modal with the text prefilled', async () => {
    await h.command('U2', 'struggle My tests are flaky');
    const view = h.lastOpenedView();
    expect(textOf({ view } as Json)).toMatch(/anonym/i);
    const ids = inputActionIds(view);
    expect(ids.some((id) => inputInitial(view, id) === 'My tests are flaky')).toBe(true);

    await h.command('U2', 'struggle');
    const empty = h.lastOpenedView();
    for (const id of inputActionIds(empty)) expect(inputInitial(empty, id) ?? '').toBe('');
  });

  it('/cop search <words> finds past struggles, ranked, with links; nothing found says so', async () => {
    await h.command('U2', 'struggle Our deploys break on Fridays');
    await h.submitView('U2', h.lastOpenedView(), {});
    await h.command('U3', 'struggle Code review takes days and deploys wait');
    await h.submitView('U3', h.lastOpenedView(), {});
    await h.command('U1', 'struggle Nobody writes documentation');
    await h.submitView('U1', h.lastOpenedView(), {});

    await h.command('U1', 'search deploys Fridays');
    const reply = h.responses().at(-1)!.params;
    expect(reply.response_type).toBe('ephemeral');
    const shown = textOf(reply);
    const best = shown.indexOf('Our deploys break on Fridays');
    const next = shown.indexOf('Code review takes days');
    expect(best).toBeGreaterThanOrEqual(0);
    expect(next === -1 || best < next).toBe(true);
    expect(shown).not.toContain('Nobody writes documentation');
    expect(shown).toMatch(/https:\/\/example\.slack\.com\/archives\/C0COP\/p\d+/);

    await h.command('U1', 'search kubernetes');
    expect(h.lastResponseText()).toMatch(/no struggles|nothing|no match/i);
  });

  it('/cop search without words says what to type', async () => {
    await h.command('U1', 'search');
    expect(h.lastResponseText()).toMatch(/\/cop search/);
  });
});
