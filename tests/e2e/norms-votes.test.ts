import { DATABASE_KINDS } from '../support/database';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { copPerTest, messageOf, messageText, propose, proposalRow, reactAt, stances } from '../support/norms';

const DAY = 24 * 60 * 60 * 1000;

describe.each(DATABASE_KINDS)('votes on proposals (%s)', (database) => {
  let h: Harness;
  copPerTest(database, (started) => (h = started), {
    others: ['U9'],
    beforeSetup: (started) => started.fake.addUser({ id: 'UB2', is_bot: true }),
  });

  it('counts reactions with any skin tone, updates the message, and withdraws on removal', async () => {
    const p = await propose(h, 'U1');
    await h.react('U1', '+1::skin-tone-3', p.message_ts!);
    await h.react('U2', 'thumbsdown::skin-tone-6', p.message_ts!);
    await h.react('U3', 'heart', p.message_ts!);
    expect(await stances(h, p.id)).toEqual({ U1: 'support', U2: 'object' });
    let text = messageText(h, p);
    expect(text).toContain(':+1: *1* support · :-1: *1* object · *2* of 4 members took part');
    expect(text).toContain('1 more supporter needed');

    // Removing a reaction that is not the current stance changes nothing.
    await h.react('U2', '+1', p.message_ts!, { removed: true });
    expect(await stances(h, p.id)).toEqual({ U1: 'support', U2: 'object' });
    await h.react('U2', 'thumbsdown::skin-tone-6', p.message_ts!, { removed: true });
    expect(await stances(h, p.id)).toEqual({ U1: 'support', U2: null });
    text = messageText(h, p);
    expect(text).toContain(':-1: *0* object · *1* of 4 members took part');
  });

  it('counts the same event delivered twice once', async () => {
    const p = await propose(h, 'U1');
    const updatesBefore = h.fake.callsOf('chat.update').length;
    await h.react('U1', '+1', p.message_ts!, { eventId: 'EvSame1' });
    await h.react('U1', '+1', p.message_ts!, { eventId: 'EvSame1' });
    const rows = await h.db.selectFrom('processed_events').selectAll().where('event_id', '=', 'EvSame1').execute();
    expect(rows).toHaveLength(1);
    expect(messageText(h, p)).toContain('*1* support');
    // The redelivery refreshes the message (its first delivery may have been stored unsettled),
    // showing the same single vote.
    const updates = h.fake.callsOf('chat.update').slice(updatesBefore);
    expect(updates).toHaveLength(2);
    expect(updates[0]!.params.blocks).toBeDefined();
    expect(updates[1]!.params).toEqual(updates[0]!.params);
  });

  it('ignores votes of non-members and bots, and of members who left', async () => {
    const p = await propose(h, 'U1');
    await h.react('U9', '+1', p.message_ts!);
    await h.react('UB2', '+1', p.message_ts!);
    await h.react('U2', '-1', p.message_ts!);
    expect(await stances(h, p.id)).toEqual({ U2: 'object' });
    await h.event({ type: 'member_left_channel', user: 'U2', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });
    await h.react('U3', '+1', p.message_ts!);
    const text = messageText(h, p);
    expect(text).toContain(':+1: *1* support · :-1: *0* object · *1* of 3 members took part');

    await h.clickButton('U9', 'norms:support', String(p.id), { messageTs: p.message_ts! });
    expect(h.lastResponseText()).toBe('Only members of this CoP can vote. Join its channel to take part.');
    await h.clickButton('U9', 'norms:object', String(p.id), { messageTs: p.message_ts! });
    expect(h.lastResponseText()).toContain('Only members');
    expect(
      h.fake.callsOf('views.open').filter((c) => JSON.stringify(c.params).includes('norms:objection')),
    ).toHaveLength(0);
    expect(Object.keys(await stances(h, p.id))).not.toContain('U9');
  });

  it('the latest vote wins, even when an older event arrives late', async () => {
    const p = await propose(h, 'U1');
    const ts = p.message_ts!;
    await reactAt(h, 'U1', '-1', ts, '1772442100.000002');
    await reactAt(h, 'U1', '+1', ts, '1772442100.000001'); // older, delivered late
    expect(await stances(h, p.id)).toEqual({ U1: 'object' });
    // A removal delivered before the reaction it removes: the vote stays withdrawn.
    await reactAt(h, 'U2', '+1', ts, '1772442200.000009', { removed: true });
    await reactAt(h, 'U2', '+1', ts, '1772442200.000008');
    expect(await stances(h, p.id)).toEqual({ U1: 'object', U2: null });
    // A change of mind by button, later than the reaction.
    h.clock.advance(60 * 60 * 1000);
    await h.clickButton('U1', 'norms:support', String(p.id), { messageTs: ts });
    expect(await stances(h, p.id)).toEqual({ U1: 'support', U2: null });
    expect(h.lastResponseText()).toContain('You support “Cameras optional”');
  });

  it('adopts as soon as the rule is met: norm stored, message shows the outcome, thread told', async () => {
    const p = await propose(h, 'U2');
    await h.react('U1', '+1', p.message_ts!);
    expect((await proposalRow(h, p.id)).status).toBe('open');
    await h.clickButton('U3', 'norms:support', String(p.id), { messageTs: p.message_ts! });
    const decided = await proposalRow(h, p.id);
    expect(decided).toMatchObject({ status: 'adopted', members_at_decision: 4 });
    const norms = await h.db.selectFrom('norms').selectAll().execute();
    expect(norms).toMatchObject([{ title: 'Cameras optional', status: 'adopted', created_by_proposal_id: p.id }]);
    const revisions = await h.db.selectFrom('norm_revisions').selectAll().execute();
    expect(revisions).toMatchObject([{ norm_id: norms[0]!.id, proposal_id: p.id }]);

    const message = messageOf(h, p);
    expect(textOf(message)).toContain('*Adopted*');
    // The outcome comes first: in the notification text and the header.
    expect(String(message.text)).toMatch(/^Adopted: Cameras optional/);
    expect((message.blocks as Array<{ type: string; text: { text: string } }>)[0]).toMatchObject({
      type: 'header',
      text: { text: 'Adopted: Cameras optional' },
    });
    expect(JSON.stringify(message.blocks)).not.toContain('norms:support');
    expect(textOf(message)).not.toContain('Voting closes');
    const reply = h.fake.callsOf('chat.postMessage').find((c) => c.params.thread_ts === p.message_ts)!;
    expect(String(reply.params.text)).toContain('“Cameras optional” is adopted, with 2 supporters and 0 objectors');
    // The channel sees the announcement, not only the thread's followers.
    expect(String(reply.params.reply_broadcast)).toBe('true');
    // The vote that decided it says so, rather than offering to change it.
    expect(h.responses().at(-1) && h.lastResponseText()).toContain('voting has now closed: it is adopted');

    // Votes after the outcome change nothing.
    await h.react('U4', '-1', p.message_ts!);
    await h.clickButton('U4', 'norms:support', String(p.id), { messageTs: p.message_ts! });
    expect(h.lastResponseText()).toContain('Voting on this proposal has closed');
    expect((await stances(h, p.id)).U4).toBeUndefined();
    expect(await h.db.selectFrom('norms').selectAll().execute()).toHaveLength(1);
  });

  it('needs two thirds of the votes cast as well as the quorum', async () => {
    const p = await propose(h, 'U2');
    await h.react('U1', '+1', p.message_ts!);
    await h.react('U3', '-1', p.message_ts!);
    await h.react('U4', '-1', p.message_ts!);
    await h.react('U2', '+1', p.message_ts!); // 2 of 4 support, but 2/4 of the votes < 2/3
    expect((await proposalRow(h, p.id)).status).toBe('open');
    expect(messageText(h, p)).toContain('2 more supporters needed');
    await h.react('U4', '-1', p.message_ts!, { removed: true }); // 2 of 3 votes
    expect((await proposalRow(h, p.id)).status).toBe('adopted');
  });

  it('declines at the deadline by the scheduled check, and says so', async () => {
    const p = await propose(h, 'U2');
    await h.react('U1', '+1', p.message_ts!);
    h.clock.advance(7 * DAY - 1000);
    await h.bot.tick();
    expect((await proposalRow(h, p.id)).status).toBe('open');
    h.clock.advance(1000);
    await h.react('U3', '+1', p.message_ts!); // too late: the window has ended
    expect((await stances(h, p.id)).U3).toBeUndefined();
    await h.bot.tick();
    expect(await proposalRow(h, p.id)).toMatchObject({ status: 'declined' });
    expect(messageText(h, p)).toContain('*Declined*');
    expect(JSON.stringify(messageOf(h, p).blocks)).not.toContain('norms:object');
    const reply = h.fake.callsOf('chat.postMessage').find((c) => c.params.thread_ts === p.message_ts)!;
    expect(String(reply.params.text)).toContain('is declined: the rule was not met when voting closed');
    expect(await h.db.selectFrom('norms').selectAll().execute()).toHaveLength(0);
    expect(h.logs.join('\n')).toContain('decided 1 proposal(s) at the scheduled check');
  });

  it('changes and then retires an adopted norm, keeping its history', async () => {
    const first = await propose(h, 'U2', { title: 'Cameras optional', body: 'Cameras are optional.' });
    await h.react('U1', '+1', first.message_ts!);
    await h.react('U2', '+1', first.message_ts!);
    const norm = await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow();

    const change = await propose(h, 'U3', {
      kind: 'change',
      norm: norm.id,
      title: 'Cameras off by default',
      body: 'Cameras are off unless you want them on.',
    });
    expect(messageText(h, change)).toContain('A change to norm 1 (“Cameras optional”)');
    expect(messageText(h, change)).toContain('*The norm now*\n>Cameras are optional.');
    expect(messageText(h, change)).toContain('*Proposed text*\n>Cameras are off unless you want them on.');
    await h.react('U3', '+1', change.message_ts!);
    await h.react('U4', '+1', change.message_ts!);
    expect(await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow()).toMatchObject({
      id: norm.id,
      title: 'Cameras off by default',
      body: 'Cameras are off unless you want them on.',
      status: 'adopted',
    });

    const retire = await propose(h, 'U4', { kind: 'retire', norm: norm.id, title: 'Drop the camera norm', body: null });
    expect(messageText(h, retire)).toContain('Retiring norm 1');
    expect(messageText(h, retire)).toContain('Cameras are off unless you want them on.');
    await h.clickButton('U1', 'norms:support', String(retire.id), { messageTs: retire.message_ts! });
    await h.clickButton('U4', 'norms:support', String(retire.id), { messageTs: retire.message_ts! });
    const retired = await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow();
    expect(retired.status).toBe('retired');
    expect(retired.retired_at).not.toBeNull();
    const history = await h.db.selectFrom('norm_revisions').selectAll().orderBy('id').execute();
    expect(history.map((r) => [r.proposal_id, r.body])).toEqual([
      [first.id, 'Cameras are optional.'],
      [change.id, 'Cameras are off unless you want them on.'],
    ]);
    await h.command('U1', 'norms');
    expect(h.lastResponseText()).toContain('No norms adopted yet');
  });

  it('declines a change to a norm retired meanwhile, saying why', async () => {
    const first = await propose(h, 'U2', { title: 'Cameras optional', body: 'Cameras are optional.' });
    await h.react('U1', '+1', first.message_ts!);
    await h.react('U2', '+1', first.message_ts!);
    const norm = await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow();
    const change = await propose(h, 'U3', { kind: 'change', norm: norm.id, title: 'Cameras off', body: 'Off.' });
    const retire = await propose(h, 'U4', { kind: 'retire', norm: norm.id, title: 'No camera norm', body: null });
    await h.react('U1', '+1', retire.message_ts!);
    await h.react('U4', '+1', retire.message_ts!);
    await h.react('U1', '+1', change.message_ts!);
    await h.react('U3', '+1', change.message_ts!);
    expect((await proposalRow(h, change.id)).status).toBe('declined');
    expect(await h.db.selectFrom('norms').selectAll().executeTakeFirstOrThrow()).toMatchObject({
      status: 'retired',
      body: 'Cameras are optional.',
    });
    const reply = h.fake.callsOf('chat.postMessage').find((c) => c.params.thread_ts === change.message_ts)!;
    expect(String(reply.params.text)).toContain('declined: the norm it was about had been retired meanwhile');
  });

  it('the Object button asks for a reason and posts it in the thread, named or anonymously', async () => {
    const p = await propose(h, 'U1');
    await h.clickButton('U2', 'norms:object', String(p.id), { messageTs: p.message_ts! });
    let view = h.lastOpenedView('norms:objection');
    let result = await h.submitView('U2', view, { reason: 'Faces help <@U3> follow.', anonymous: [] });
    expect(result.body).toBe('');
    const named = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.thread_ts === p.message_ts)
      .at(-1)!;
    expect(named.params.text).toBe(':-1: <@U2> objects:\n>Faces help &lt;@U3&gt; follow.');
    let vote = await h.db.selectFrom('votes').selectAll().where('user_id', '=', 'U2').executeTakeFirstOrThrow();
    expect(vote).toMatchObject({ stance: 'object', reason: 'Faces help <@U3> follow.' });

    h.clock.advance(1000);
    await h.clickButton('U3', 'norms:object', String(p.id), { messageTs: p.message_ts! });
    view = h.lastOpenedView('norms:objection');
    result = await h.submitView('U3', view, { reason: 'I feel watched.', anonymous: ['anonymous'] });
    expect(result.body).toBe('');
    const anonymous = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.thread_ts === p.message_ts)
      .at(-1)!;
    expect(anonymous.params.text).toBe(':-1: A member objects (shared anonymously):\n>I feel watched.');
    expect(JSON.stringify(anonymous.params)).not.toContain('U3');
    vote = await h.db.selectFrom('votes').selectAll().where('user_id', '=', 'U3').executeTakeFirstOrThrow();
    expect(vote).toMatchObject({ stance: 'object', reason: null });
    const stored = JSON.stringify(await h.db.selectFrom('votes').selectAll().execute());
    expect(stored).not.toContain('I feel watched');
    expect(h.logs.join('\n')).not.toMatch(/U3.*anonymous|anonymous.*U3/);
    expect(messageText(h, p)).toContain(':-1: *2* object');

    // Too long a reason is refused in the modal.
    await h.clickButton('U4', 'norms:object', String(p.id), { messageTs: p.message_ts! });
    const tooLong = await h.submitView('U4', h.lastOpenedView('norms:objection'), { reason: 'x'.repeat(1001) });
    expect(tooLong.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });
    expect((await stances(h, p.id)).U4).toBeUndefined();
  });

  it('nudges each member who has not voted once, privately, a day before closing', async () => {
    const p = await propose(h, 'U1');
    await h.react('U1', '+1', p.message_ts!);
    h.clock.advance(5 * DAY);
    await h.bot.tick();
    expect(await h.db.selectFrom('outbox').selectAll().where('purpose', '=', 'nudge').execute()).toHaveLength(0);
    h.clock.advance(DAY + 60_000);
    await h.bot.tick();
    await h.bot.tick();
    h.clock.advance(60_000);
    await h.bot.tick();
    const dms = h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('Your voice counts'));
    expect(dms.map((c) => c.params.channel).sort()).toEqual(['U2', 'U3', 'U4']);
    expect(String(dms[0]!.params.text)).toContain('“Cameras optional”');
    const keys = await h.db.selectFrom('outbox').select('dedupe_key').where('purpose', '=', 'nudge').execute();
    expect(keys.map((k) => k.dedupe_key).sort()).toEqual([`nudge:${p.id}:U2`, `nudge:${p.id}:U3`, `nudge:${p.id}:U4`]);
    expect((await proposalRow(h, p.id)).nudged_at).not.toBeNull();
    // Nothing public names who has not voted.
    const inChannel = h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === HOME_CHANNEL);
    expect(JSON.stringify(inChannel)).not.toMatch(/not voted/);

    // Voting from the nudge DM works.
    await h.clickButton('U2', 'norms:support', String(p.id), {
      channel: 'DU2',
      messageTs: String(dms[0]!.params.ts ?? '1.1'),
    });
    expect((await stances(h, p.id)).U2).toBe('support');
  });

  it('nudges a one-day proposal at half its window, not at once', async () => {
    await h.db.updateTable('cops').set({ window_hours: 24 }).execute();
    const p = await propose(h, 'U1');
    await h.bot.tick();
    expect((await proposalRow(h, p.id)).nudged_at).toBeNull();
    h.clock.advance(12 * 60 * 60 * 1000);
    await h.bot.tick();
    expect((await proposalRow(h, p.id)).nudged_at).not.toBeNull();
    const dms = h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('Your voice counts'));
    expect(dms).toHaveLength(4);
  });

  it('welcomes a newcomer with the adopted norms, once', async () => {
    const p = await propose(h, 'U1', { title: 'Cameras optional' });
    await h.react('U1', '+1', p.message_ts!);
    await h.react('U2', '+1', p.message_ts!);
    h.fake.addUser({ id: 'U5' });
    const join = { type: 'member_joined_channel', user: 'U5', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' };
    await h.event(join);
    // Sent at once, not at the next scheduler tick.
    const welcome = h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'U5');
    expect(welcome).toHaveLength(1);
    const text = textOf(welcome[0]!.params);
    expect(text).toContain(`<#${HOME_CHANNEL}> is a Community of Practice`);
    expect(text).toContain('*1. Cameras optional*');
    await h.event({ type: 'member_left_channel', user: 'U5', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });
    await h.event(join);
    await h.bot.tick();
    expect(h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'U5')).toHaveLength(1);
  });

  it('shows norms and open proposals in the App Home with the viewer’s vote, and votes from there', async () => {
    const adopted = await propose(h, 'U1', { title: 'Cameras optional' });
    await h.react('U1', '+1', adopted.message_ts!);
    await h.react('U2', '+1', adopted.message_ts!);
    const open = await propose(h, 'U3', { title: 'Agenda a day ahead' });
    await h.event({ type: 'app_home_opened', user: 'U4', channel: 'D4', tab: 'home', event_ts: '1.1' });
    let home = JSON.stringify(h.fake.lastCall('views.publish')!.params.view);
    expect(home).toContain('*1.* Cameras optional');
    expect(home).toContain('Agenda a day ahead');
    expect(home).toContain('Your vote: you have not voted yet');
    expect(home).toContain('norms:support');

    await h.clickButton('U4', 'norms:support', String(open.id), { view: { id: 'VHOME', type: 'home' } });
    const published = h.fake.lastCall('views.publish')!;
    expect(published.params.user_id).toBe('U4');
    home = JSON.stringify(published.params.view);
    expect(home).toContain('Your vote: you support it');
    expect(messageText(h, open)).toContain('*1* support');

    await h.clickButton('U4', 'norms:object', String(open.id), { view: { id: 'VHOME', type: 'home' } });
    await h.submitView('U4', h.lastOpenedView('norms:objection'), { reason: null, anonymous: [] });
    home = JSON.stringify(h.fake.lastCall('views.publish')!.params.view);
    expect(home).toContain('Your vote: you object');
  });
});
