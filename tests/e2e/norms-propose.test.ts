import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { messageText, propose, submitProposal } from '../support/norms';

describe('proposing norms, /cop norms and the voting rule', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'U4'], others: ['U9'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('/cop help lists propose and norms in SPEC’s words', async () => {
    await h.command('U2', 'help');
    const help = h.lastResponseText();
    expect(help).toContain('`/cop norms`: the adopted norms, numbered, and the open proposals with their tallies');
    expect(help).toContain(
      '`/cop propose [title]`: propose a new norm, or a change to, or retirement of, an adopted norm',
    );
  });

  it('/cop propose opens the modal with the title prefilled, and only a new norm while none is adopted', async () => {
    await h.command('U2', 'propose Cameras optional');
    const view = h.lastOpenedView('norms:propose');
    const blocks = view.blocks as Array<{ block_id?: string; element?: Record<string, unknown> }>;
    const title = blocks.find((b) => b.block_id === 'title')!;
    expect(title.element!.initial_value).toBe('Cameras optional');
    const kind = blocks.find((b) => b.block_id === 'kind')!;
    expect((kind.element!.options as unknown[]).length).toBe(1);
    expect(blocks.find((b) => b.block_id === 'norm')).toBeUndefined();
  });

  it('posts a valid proposal in the home channel with tally, rule, closing time and buttons', async () => {
    const result = await submitProposal(h, 'U2', { title: 'Cameras <!channel> optional' });
    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    const p = await h.db.selectFrom('proposals').selectAll().executeTakeFirstOrThrow();
    expect(p).toMatchObject({
      kind: 'new',
      status: 'open',
      proposed_by: 'U2',
      title: 'Cameras <!channel> optional',
      quorum_num: 1,
      quorum_den: 2,
      approval_num: 2,
      approval_den: 3,
      channel_id: HOME_CHANNEL,
    });
    expect(p.closes_at.toISOString()).toBe('2026-03-09T09:00:00.000Z');
    const posted = h.fake.lastCall('chat.postMessage')!;
    expect(posted.params.channel).toBe(HOME_CHANNEL);
    expect(p.message_ts).toBeTruthy();
    const text = messageText(h, p);
    expect(text).toContain('Cameras <!channel> optional'); // the header is plain text: no ping
    expect(text).toContain('Cameras &lt;!channel&gt; optional'); // mrkdwn text is escaped
    expect(text).toContain('A new norm');
    expect(text).toContain('proposed by <@U2>');
    expect(text).toContain('Nobody has to turn their camera on');
    expect(text).toContain('Some of us call from noisy');
    expect(text).toContain('*0* support');
    expect(text).toContain('*0* of 4 members took part');
    expect(text).toContain('2 more supporters needed');
    expect(text).toContain('at least half of the members (rounded up)');
    expect(text).toContain('two thirds of the votes cast');
    expect(text).toMatch(/Voting closes <!date\^1773046800\^[^|]+\|2026-03-09 09:00 UTC>/);
    expect(text).toContain(':+1: supports');
    const buttons = JSON.stringify(posted.params.blocks);
    expect(buttons).toContain('"action_id":"norms:support"');
    expect(buttons).toContain('"action_id":"norms:object"');
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a whitespace-only text', { body: '   ' }, 'body'],
    ['a too long reason why', { rationale: 'x'.repeat(1001) }, 'rationale'],
  ])('refuses %s in the modal and stores nothing', async (_name, fields, block) => {
    const result = await submitProposal(h, 'U2', fields);
    expect(result.json()).toMatchObject({ response_action: 'errors', errors: { [block]: expect.any(String) } });
    expect(await h.db.selectFrom('proposals').selectAll().execute()).toHaveLength(0);
    expect(h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === HOME_CHANNEL)).toHaveLength(1);
  });

  it('refuses a change or retirement without a norm, and of a norm no longer adopted', async () => {
    const p = await propose(h, 'U2');
    await h.react('U1', '+1', p.message_ts!);
    await h.react('U2', '+1', p.message_ts!);
    const norm = await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow();

    const noNorm = await submitProposal(h, 'U3', { kind: 'change', title: 'Cameras on' });
    expect(noNorm.json()).toMatchObject({ errors: { norm: 'Pick the norm to change or retire.' } });

    await h.command('U3', 'propose Retire it');
    await h.chooseInView('U3', h.lastOpenedView('norms:propose'), 'kind', 'retire');
    const stale = h.fake.lastCall('views.update')!.params.view as Record<string, unknown>;
    // The norm is retired while U3's modal is open.
    await h.db.updateTable('norms').set({ status: 'retired', retired_at: new Date() }).execute();
    const result = await h.submitView('U3', stale, {
      kind: 'retire',
      norm: String(norm.id),
      rationale: 'We do not need it.',
    });
    expect(result.json()).toMatchObject({ errors: { norm: expect.stringContaining('no longer adopted') } });
    expect(await h.db.selectFrom('proposals').selectAll().execute()).toHaveLength(1);
  });

  it('the form shows only the fields of the choice made, redrawn when the choice changes', async () => {
    const p = await propose(h, 'U2');
    await h.react('U1', '+1', p.message_ts!);
    await h.react('U2', '+1', p.message_ts!);
    const norm = await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow();
    type Block = { type: string; block_id?: string; optional?: boolean; label?: { text: string } };
    const inputs = (view: Record<string, unknown>) =>
      (view.blocks as Block[]).filter((b) => b.type === 'input').map((b) => b.block_id);

    await h.command('U3', 'propose Cameras on');
    const opened = h.lastOpenedView('norms:propose');
    expect(inputs(opened)).toEqual(['kind', 'title', 'body', 'rationale']);
    expect((opened.blocks as Array<Record<string, unknown>>).find((b) => b.block_id === 'kind')).toMatchObject({
      dispatch_action: true,
    });

    // A change: which norm (required), its new title and text, why. What was typed stays.
    await h.chooseInView('U3', opened, 'kind', 'change', { rationale: 'Faces help.' });
    const update = h.fake.lastCall('views.update')!;
    expect(update.params).toMatchObject({ view_id: 'V123', hash: '1583638467.cd05659d' });
    const change = update.params.view as Record<string, unknown>;
    expect(inputs(change)).toEqual(['kind', 'norm', 'title', 'body', 'rationale']);
    const blocks = change.blocks as Block[];
    expect(blocks.every((b) => b.type !== 'input' || b.optional !== true)).toBe(true);
    expect(blocks.find((b) => b.block_id === 'norm')!.label!.text).toBe('Which norm to change');
    expect(JSON.stringify(change)).toContain('Faces help.');
    expect(JSON.stringify(change)).toContain('Cameras on');

    // A retirement: which norm and why; no title, no text.
    await h.chooseInView('U3', change, 'kind', 'retire');
    const retire = h.fake.lastCall('views.update')!.params.view as Record<string, unknown>;
    expect(inputs(retire)).toEqual(['kind', 'norm', 'rationale']);
    const result = await h.submitView('U3', retire, { norm: String(norm.id), rationale: 'We never use cameras.' });
    expect(result.body).toBe('');
    const stored = await h.db.selectFrom('proposals').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ kind: 'retire', norm_id: norm.id, title: 'Cameras optional', body: '' });

    // Back to a new norm: the norm picker goes.
    await h.chooseInView('U3', retire, 'kind', 'new');
    expect(inputs(h.fake.lastCall('views.update')!.params.view as Record<string, unknown>)).toEqual([
      'kind',
      'title',
      'body',
      'rationale',
    ]);
  });

  it('a choice from someone outside the CoP redraws nothing', async () => {
    await h.command('U1', 'propose Cameras optional');
    await h.chooseInView('U9', h.lastOpenedView('norms:propose'), 'kind', 'change');
    expect(h.fake.callsOf('views.update')).toHaveLength(0);
  });

  it('a forged submission from a non-member stores nothing', async () => {
    await h.command('U1', 'propose Cameras optional');
    const view = h.lastOpenedView('norms:propose');
    const result = await h.submitView('U9', view, { title: 'Forged', body: 'x', rationale: 'y' });
    expect(result.json()).toMatchObject({
      response_action: 'errors',
      errors: { title: expect.stringContaining('Only members') },
    });
    expect(await h.db.selectFrom('proposals').selectAll().execute()).toHaveLength(0);
  });

  it('when the post fails, keeps no proposal and tells the proposer', async () => {
    h.fake.inject('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });
    const result = await submitProposal(h, 'U2');
    expect(result.body).toBe('');
    expect(await h.db.selectFrom('proposals').selectAll().execute()).toHaveLength(0);
    const told = h.fake.lastCall('chat.postEphemeral')!;
    expect(told.params).toMatchObject({ channel: HOME_CHANNEL, user: 'U2' });
    expect(String(told.params.text)).toContain('could not be posted');
    expect(h.logs.join('\n')).toContain('discarding it');
  });

  it('/cop norms lists adopted norms numbered, open proposals with tallies, the rule and a propose button', async () => {
    const first = await propose(h, 'U2', { title: 'Cameras optional' });
    await h.react('U1', '+1', first.message_ts!);
    await h.react('U2', '+1', first.message_ts!);
    h.clock.advance(60_000);
    const second = await propose(h, 'U3', { title: 'Agenda a day ahead', body: 'Share the agenda 24 h before.' });
    await h.react('U3', '+1', second.message_ts!);
    await h.react('U4', '+1', second.message_ts!);
    const open = await propose(h, 'U4', { title: 'Rotate the facilitator' });
    await h.react('U1', '-1', open.message_ts!);

    await h.command('U2', 'norms');
    const reply = h.responses().at(-1)!.params;
    expect(reply.response_type).toBe('ephemeral');
    const text = textOf(reply);
    expect(text).toMatch(/\*1\. Cameras optional\*\n>Nobody has to turn/);
    expect(text).toMatch(/\*2\. Agenda a day ahead\*\n>Share the agenda/);
    expect(text).toContain('Rotate the facilitator');
    expect(text).toContain(':-1: *1* object');
    expect(text).toContain('*1* of 4 members took part');
    expect(text).toMatch(/Closes <!date\^/);
    expect(text).toContain('The rule in force:');
    expect(text).toContain('Voting stays open 7 days');
    expect(text).toContain('Propose a norm');
    expect(text).not.toContain('Change the voting rule');

    // The button opens the same modal.
    await h.clickButton('U2', 'norms:propose-open', String(first.cop_id));
    // Choosing a change shows the picker of the adopted norms, numbered.
    await h.chooseInView('U2', h.lastOpenedView('norms:propose'), 'kind', 'change');
    const view = h.fake.lastCall('views.update')!.params.view as Record<string, unknown>;
    const norm = (
      view.blocks as Array<{ block_id?: string; element?: { options?: Array<{ text: { text: string } }> } }>
    ).find((b) => b.block_id === 'norm')!;
    expect(norm.element!.options!.map((o) => o.text.text)).toEqual(['1. Cameras optional', '2. Agenda a day ahead']);
  });

  it('a coordinator changes the voting rule; new proposals use it, open ones keep theirs', async () => {
    const before = await propose(h, 'U2');
    await h.command('U1', 'norms');
    expect(h.lastResponseText()).toContain('Change the voting rule');
    await h.clickButton('U1', 'norms:rule-open', String(before.cop_id));
    const view = h.lastOpenedView('norms:rule');
    const result = await h.submitView('U1', view, { quorum: '1/3', approval: '3/4', window_days: '3' });
    expect(result.body).toBe('');
    const cop = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
    expect(cop).toMatchObject({ quorum_num: 1, quorum_den: 3, approval_num: 3, approval_den: 4, window_hours: 72 });
    expect(String(h.fake.lastCall('chat.postMessage')!.params.text)).toContain('<@U1> changed the voting rule');

    const after = await propose(h, 'U3', { title: 'Another' });
    expect(after).toMatchObject({ quorum_num: 1, quorum_den: 3, approval_num: 3, approval_den: 4 });
    expect(after.closes_at.toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(messageText(h, after)).toContain('at least one third of the members');
    const unchanged = await h.db
      .selectFrom('proposals')
      .selectAll()
      .where('id', '=', before.id)
      .executeTakeFirstOrThrow();
    expect(unchanged).toMatchObject({ quorum_num: 1, quorum_den: 2, approval_num: 2, approval_den: 3 });

    await h.command('U1', 'norms');
    expect(h.lastResponseText()).toContain('at least one third of the members');
    expect(h.lastResponseText()).toContain('Voting stays open 3 days');
  });

  it('refuses a rule change from a non-coordinator, even with a forged payload', async () => {
    await h.clickButton('U2', 'norms:rule-open', '1');
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');
    expect(h.fake.callsOf('views.open')).toHaveLength(0);

    await h.command('U1', 'norms');
    await h.clickButton('U1', 'norms:rule-open', '1');
    const view = h.lastOpenedView('norms:rule');
    const forged = await h.submitView('U2', view, { quorum: '1/3', approval: '1/3', window_days: '1' });
    expect(forged.json()).toMatchObject({
      response_action: 'errors',
      errors: { quorum: expect.stringContaining('Only this CoP’s coordinators') },
    });
    const cop = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
    expect(cop).toMatchObject({ quorum_num: 1, quorum_den: 2, approval_num: 2, approval_den: 3, window_hours: 168 });

    const bad = await h.submitView('U1', view, { quorum: '1/2', approval: '2/3', window_days: '45' });
    expect(bad.json()).toMatchObject({ errors: { window_days: 'The window is at most 30 days.' } });
  });
});
