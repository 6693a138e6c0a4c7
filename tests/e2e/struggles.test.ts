import { DATABASE_KINDS } from '../support/database';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { dumpDatabase, StruggleDriver } from '../support/struggles';

const COORDINATOR = 'U1';
const AUTHOR = 'UAUTHOR7';
const REPLIER = 'UREPLIER8';
const MEMBER = 'U4';
const OUTSIDER = 'U9';

const struggleCount = async (h: Harness) => (await h.db.selectFrom('struggles').select('id').execute()).length;

describe.each(DATABASE_KINDS)('practice struggles, the whole flow on %s', (kind) => {
  let h: Harness;
  let s: StruggleDriver;
  beforeEach(async () => {
    h = await Harness.start({ database: kind, members: [COORDINATOR, AUTHOR, REPLIER, MEMBER], others: [OUTSIDER] });
    s = new StruggleDriver(h);
    await h.setupCop(COORDINATOR);
    // The member directory (setup) looks everyone up; what follows must name no author.
    h.fake.clearCalls();
    // A fresh embedded database migrates in-process, slowly on a busy machine.
  }, 120_000);
  afterEach(() => h?.stop());

  it('posts, replies, follows up, resolves, marks helpful, searches, and keeps no author anywhere', async () => {
    // The author shares a struggle; the command text prefills the form and is never echoed.
    await h.command(AUTHOR, 'struggle Our flaky integration tests');
    const form = h.lastOpenedView('struggles:post');
    expect(JSON.stringify(form)).toContain('Our flaky integration tests');
    expect(h.responses()).toHaveLength(0); // nothing answered the struggle command
    const submitted = await h.submitView(AUTHOR, form, {
      text: 'Our flaky integration tests keep failing in CI and nobody trusts the pipeline',
      tags: 'testing, CI',
      tried: 'Retrying the jobs',
    });
    expect(submitted.status).toBe(200);
    expect(submitted.json().response_action).toBe('update');

    const post = s.posts().at(-1)!;
    expect(post.params.channel).toBe(HOME_CHANNEL);
    expect(textOf(post.params)).toContain('flaky integration tests keep failing');
    expect(textOf(post.params)).toContain('Retrying the jobs');
    expect(textOf(post.params)).toContain('testing, CI');
    expect(post.params.username).toBeUndefined();
    expect(post.params.icon_url).toBeUndefined();
    expect(post.params.icon_emoji).toBeUndefined();

    const struggle = await h.db.selectFrom('struggles').selectAll().executeTakeFirstOrThrow();
    expect(struggle.message_ts).toBeTruthy();
    expect(struggle.permalink).toContain(`/archives/${HOME_CHANNEL}/`);
    expect(JSON.stringify(s.lastViewUpdate())).toContain(struggle.permalink!);

    // The author's private DM: a link and the two buttons carrying the capability.
    const dm = s.dmsTo(AUTHOR).at(-1)!;
    expect(textOf(dm.params)).toContain(struggle.permalink!);
    const followToken = s.dmButton(AUTHOR, 'struggles:follow_up');
    expect(s.dmButton(AUTHOR, 'struggles:resolve')).toBe(followToken);
    expect(followToken).not.toContain(AUTHOR);
    expect(await h.db.selectFrom('outbox').selectAll().execute()).toHaveLength(0);

    // Someone replies anonymously from the post.
    await h.clickButton(REPLIER, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
    const replyForm = h.lastOpenedView('struggles:reply_submit');
    await h.submitView(REPLIER, replyForm, { reply: 'Quarantine the flaky ones and fix them one by one' });
    const anonymousReply = s.threadPosts(struggle.message_ts!).at(-1)!;
    expect(textOf(anonymousReply.params)).toContain('Anonymous reply');
    expect(textOf(anonymousReply.params)).toContain('Quarantine the flaky ones');

    // The author follows up from the DM, marked as the original poster.
    await h.clickButton(AUTHOR, 'struggles:follow_up', followToken, { channel: `D${AUTHOR}`, messageTs: '1.1' });
    const followForm = h.lastOpenedView('struggles:follow_up_submit');
    await h.submitView(AUTHOR, followForm, { reply: 'Thanks, we will try quarantining this sprint' });
    const followUp = s.threadPosts(struggle.message_ts!).at(-1)!;
    expect(textOf(followUp.params)).toContain('Original poster');
    expect(textOf(followUp.params)).toContain('we will try quarantining');

    // A member replies in the thread as usual; the reply is kept for search.
    await s.threadReply(MEMBER, struggle.message_ts!, 'Use a test retry budget dashboard', '1700000500.000001');
    const replies = await h.db.selectFrom('struggle_replies').selectAll().orderBy('id').execute();
    expect(replies.map((r) => [r.kind, r.user_id])).toEqual([
      ['anonymous', null],
      ['original_poster', null],
      ['member', MEMBER],
    ]);

    // Members mark the anonymous reply helpful with :bulb: (a retry counts once; outsiders don't count).
    const helpfulTs = replies[0]!.message_ts!;
    await h.react(MEMBER, 'bulb', helpfulTs, { eventId: 'EvBulb1' });
    await h.react(MEMBER, 'bulb', helpfulTs, { eventId: 'EvBulb1' });
    await h.react(OUTSIDER, 'bulb', helpfulTs);
    await h.react(MEMBER, 'tada', replies[2]!.message_ts!);
    const afterBulb = await h.db.selectFrom('struggle_replies').select(['id', 'helpful_count']).orderBy('id').execute();
    expect(afterBulb.map((r) => r.helpful_count)).toEqual([1, 0, 0]);

    // The author marks it resolved: the post says so and the DM loses its resolve button.
    await h.clickButton(AUTHOR, 'struggles:resolve', followToken, { channel: `D${AUTHOR}`, messageTs: '1.1' });
    const update = h.fake.lastCall('chat.update')!;
    expect(update.params.ts).toBe(struggle.message_ts);
    expect(textOf(update.params)).toContain('Resolved');
    const dmUpdate = h.responses().at(-1)!;
    expect(dmUpdate.params.replace_original).toBe(true);
    expect(JSON.stringify(dmUpdate.params)).not.toContain('struggles:resolve');
    expect(
      (await h.db.selectFrom('struggles').select('resolved_at').executeTakeFirstOrThrow()).resolved_at,
    ).not.toBeNull();

    // Search finds it through its own words and through a reply's, with the link and the helpful answer.
    await h.command(MEMBER, 'search flaky pipeline');
    let found = h.lastResponseText();
    expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
    expect(found).toContain(struggle.permalink!);
    expect(found).toContain('Quarantine the flaky ones');
    await h.command(MEMBER, 'search dashboard');
    found = h.lastResponseText();
    expect(found).toContain(struggle.permalink!);
    await h.command(MEMBER, 'search kubernetes');
    expect(h.lastResponseText()).toContain('No struggles match');
    await h.command(MEMBER, 'search');
    expect(h.lastResponseText()).toContain('/cop search <words>');

    // The App Home lists it, with the button to share one.
    await h.event({ type: 'app_home_opened', user: MEMBER, channel: 'D4', tab: 'home', event_ts: '1.1' });
    const home = JSON.stringify(h.fake.lastCall('views.publish')!.params.view);
    expect(home).toContain(struggle.permalink!);
    expect(home).toContain('Share a struggle anonymously');

    // Moderation and failures happen around anonymous posts too: a report, a hide, a refused post, a forged token.
    await s.overflow(MEMBER, `report:reply:${replies[0]!.id}`, helpfulTs);
    await h.submitView(MEMBER, h.lastOpenedView('struggles:report'), { reason: 'Too blunt' });
    expect(textOf(s.dmsTo(COORDINATOR).at(-1)!.params)).toContain('reported an anonymous reply');
    await s.hideShortcut(COORDINATOR, helpfulTs);
    expect(textOf(h.fake.lastCall('chat.update')!.params)).toContain('A coordinator hid this reply');
    h.fake.inject('chat.postMessage', { body: { ok: false, error: 'restricted_action' } });
    await s.share(AUTHOR, { text: 'A second struggle that Slack refuses' });
    expect(textOf({ blocks: s.lastViewUpdate().blocks })).toContain('restricted_action');
    await h.clickButton(REPLIER, 'struggles:resolve', `${followToken.slice(0, -2)}xx`, {
      channel: `D${REPLIER}`,
      messageTs: '1.1',
    });
    expect(h.lastResponseText()).toContain('do not match');

    // THE PROMISE: no trace of the author or the anonymous replier, anywhere we keep or post.
    const dump = await dumpDatabase(h.db);
    for (const [table, rows] of Object.entries(dump)) {
      // The membership cache lists everyone in the channel, authors or not; see the swap test below.
      if (table === 'members' || table === 'slack_users') continue;
      const text = JSON.stringify(rows);
      expect({ table, hasAuthor: text.includes(AUTHOR) }).toEqual({ table, hasAuthor: false });
      expect({ table, hasReplier: text.includes(REPLIER) }).toEqual({ table, hasReplier: false });
    }
    const logs = h.logs.join('\n');
    expect(logs).not.toContain(AUTHOR);
    expect(logs).not.toContain(REPLIER);
    for (const call of h.fake.calls) {
      // The author's own DM is addressed to them; nothing else may name either of them.
      const { channel, ...rest } = call.params;
      if (channel !== AUTHOR) expect(String(channel ?? '')).not.toMatch(new RegExp(`${AUTHOR}|${REPLIER}`));
      const content = JSON.stringify(rest);
      expect({ method: call.method, leaks: content.includes(AUTHOR) || content.includes(REPLIER) }).toEqual({
        method: call.method,
        leaks: false,
      });
    }
    // The embedded database is slow on a busy machine; the flow is long.
  }, 90_000);
});

describe('practice struggles: moderation, limits and bad input', () => {
  let h: Harness;
  let s: StruggleDriver;
  beforeEach(async () => {
    h = await Harness.start({ members: [COORDINATOR, AUTHOR, REPLIER, MEMBER], others: [OUTSIDER] });
    s = new StruggleDriver(h);
    await h.setupCop(COORDINATOR);
  });
  afterEach(() => h.stop());

  async function shareOne(text = 'Estimating work is always wrong') {
    await s.share(AUTHOR, { text });
    return h.db.selectFrom('struggles').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  }

  it('coordinators hide a post: replaced by a notice and kept out of search; others cannot', async () => {
    const struggle = await shareOne('Estimating work is always wrong');
    // The public post offers members only what they may do: report it.
    const post = s.posts().at(-1)!;
    expect(JSON.stringify(post.params.blocks)).toContain('Report to coordinators');
    expect(JSON.stringify(post.params.blocks)).not.toMatch(/Hide|hide:/);

    await s.hideShortcut(MEMBER, struggle.message_ts!);
    expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');
    expect(h.lastResponseText()).toContain('Report to coordinators');
    // Nor does "Hide" in the menu of a post from before the shortcut, for a member.
    await s.overflow(MEMBER, `hide:post:${struggle.id}`, struggle.message_ts!);
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');
    expect(h.fake.callsOf('chat.update')).toHaveLength(0);
    expect((await h.db.selectFrom('struggles').select('hidden_at').executeTakeFirstOrThrow()).hidden_at).toBeNull();

    await s.hideShortcut(COORDINATOR, struggle.message_ts!);
    expect(h.lastResponseText()).toContain('Hidden');
    const update = h.fake.lastCall('chat.update')!;
    expect(update.params.ts).toBe(struggle.message_ts);
    expect(textOf(update.params)).toContain('A coordinator hid this struggle');
    expect(textOf(update.params)).not.toContain('Estimating');
    expect(JSON.stringify(update.params.blocks)).not.toContain('struggles:reply');

    await h.command(MEMBER, 'search estimating');
    expect(h.lastResponseText()).toContain('No struggles match');
    await h.clickButton(REPLIER, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
    expect(h.lastResponseText()).toContain('no longer exists or was hidden');
  });

  it('coordinators hide an anonymous reply', async () => {
    const struggle = await shareOne();
    await h.clickButton(REPLIER, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
    await h.submitView(REPLIER, h.lastOpenedView('struggles:reply_submit'), {
      reply: 'Something rude about estimating',
    });
    const reply = await h.db.selectFrom('struggle_replies').selectAll().executeTakeFirstOrThrow();
    await s.hideShortcut(COORDINATOR, reply.message_ts!);
    expect(textOf(h.fake.lastCall('chat.update')!.params)).toContain('A coordinator hid this reply');
    await h.command(MEMBER, 'search rude');
    expect(h.lastResponseText()).toContain('No struggles match');
  });

  it('anyone can report a post to the coordinators privately, and is told they are named', async () => {
    const struggle = await shareOne();
    await s.overflow(MEMBER, `report:post:${struggle.id}`, struggle.message_ts!);
    const modal = h.lastOpenedView('struggles:report');
    expect(textOf({ blocks: modal.blocks })).toContain('not anonymous');
    const result = await h.submitView(MEMBER, modal, { reason: 'It names a colleague <!here>' });
    expect(result.json().response_action).toBe('update');
    const dm = s.dmsTo(COORDINATOR).at(-1)!;
    const text = textOf(dm.params);
    expect(text).toContain(`<@${MEMBER}> reported an anonymous struggle`);
    expect(text).toContain(struggle.permalink!);
    expect(text).toContain('&lt;!here&gt;');
    expect(text).not.toContain('<!here>');
    // Reports are not stored.
    expect(await h.db.selectFrom('outbox').selectAll().execute()).toHaveLength(0);

    // The report carries the coordinator's control: "Hide it", checked against the role.
    const hideValue = s.dmButton(COORDINATOR, 'struggles:hide_now');
    await h.clickButton(MEMBER, 'struggles:hide_now', hideValue, { channel: `D${MEMBER}`, messageTs: '1.1' });
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');
    expect(h.fake.callsOf('chat.update')).toHaveLength(0);
    await h.clickButton(COORDINATOR, 'struggles:hide_now', hideValue, { channel: `D${COORDINATOR}`, messageTs: '1.1' });
    expect(h.lastResponseText()).toContain('Hidden');
    expect(textOf(h.fake.lastCall('chat.update')!.params)).toContain('A coordinator hid this struggle');
  });

  it('limits anonymous posts per CoP per hour, counted from stored posts, whoever posts', async () => {
    for (let i = 0; i < 5; i++) {
      h.clock.advance(60_000);
      const { ack } = await s.share(i % 2 ? AUTHOR : REPLIER, { text: `Struggle number ${i}` });
      expect(ack.response_action).toBe('update');
    }
    h.clock.advance(10 * 60_000);
    const { ack } = await s.share(MEMBER, { text: 'One too many' });
    expect(ack.response_action).toBe('errors');
    expect(String((ack.errors as Record<string, string>).text)).toMatch(/try again in about 46 minutes/);
    expect(await struggleCount(h)).toBe(5);
    expect(s.posts()).toHaveLength(5 + 1); // five struggles and setup's announcement

    h.clock.advance(46 * 60_000);
    const later = await s.share(MEMBER, { text: 'Now there is room' });
    expect(later.ack.response_action).toBe('update');
    expect(await struggleCount(h)).toBe(6);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   \n\t  '],
    ['too long', 'x'.repeat(2501)],
    ['too long once escaped', '<'.repeat(1000)],
  ])('refuses %s text in the form and stores nothing', async (_label, text) => {
    const { ack } = await s.share(AUTHOR, { text });
    expect(ack.response_action).toBe('errors');
    expect((ack.errors as Record<string, string>).text).toBeTruthy();
    expect(await struggleCount(h)).toBe(0);
    expect(s.posts()).toHaveLength(1);
  });

  it('hostile text neither pings nor links nor impersonates', async () => {
    await s.share(AUTHOR, {
      text: '<!channel> <@U1> said <https://evil.example|the docs> are fine @here\n*Original poster*: fake',
      tags: '<#C0COP>',
    });
    const post = s.posts().at(-1)!;
    const all = JSON.stringify({ text: post.params.text, blocks: post.params.blocks });
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U1>');
    expect(all).not.toContain('<https://evil');
    expect(all).not.toContain('<#C0COP>');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('&lt;@U1&gt;');
    expect(all).not.toMatch(/@here/);
    // The user's text is quoted under the bot's own heading, so a typed "Original poster" stays inside the quote.
    expect(textOf(post.params)).toContain('>*Original poster*: fake');
    expect(String(post.params.unfurl_links)).toBe('false');
  });

  it('when Slack refuses the post, nothing is stored and the author is told in the form', async () => {
    h.fake.inject('chat.postMessage', { body: { ok: false, error: 'restricted_action' } });
    const { ack } = await s.share(AUTHOR, { text: 'Nobody reviews my pull requests' });
    expect(ack.response_action).toBe('update');
    const view = s.lastViewUpdate();
    expect(view.callback_id).toBe('struggles:post');
    expect(textOf({ blocks: view.blocks })).toContain('Slack did not accept the post (restricted_action)');
    expect(JSON.stringify(view)).toContain('Nobody reviews my pull requests');
    expect(await struggleCount(h)).toBe(0);
    expect(s.dmsTo(AUTHOR)).toHaveLength(0);
    // And the slot it held is free again.
    expect(await h.db.selectFrom('struggles').selectAll().execute()).toEqual([]);
  });

  it('when the author cannot be DMed, the post stays and the author is told they cannot act as its author', async () => {
    h.fake.on('chat.postMessage', (params) =>
      params.channel === AUTHOR
        ? { ok: false, error: 'cannot_dm_user' }
        : { ok: true, channel: params.channel, ts: `1700000900.${String(Math.random()).slice(2, 8)}` },
    );
    await s.share(AUTHOR, { text: 'Retros feel pointless' });
    expect(await struggleCount(h)).toBe(1);
    expect(textOf({ blocks: s.lastViewUpdate().blocks })).toContain('could not send you the DM');
    expect(h.logs.join('\n')).not.toContain(AUTHOR);
  });

  it('when Slack refuses an anonymous reply, nothing is stored and the replier is told', async () => {
    const struggle = await shareOne();
    await h.clickButton(REPLIER, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
    h.fake.inject('chat.postMessage', { body: { ok: false, error: 'is_archived' } });
    await h.submitView(REPLIER, h.lastOpenedView('struggles:reply_submit'), { reply: 'Use ranges' });
    expect(textOf({ blocks: s.lastViewUpdate().blocks })).toContain('Slack did not accept the reply (is_archived)');
    expect(await h.db.selectFrom('struggle_replies').selectAll().execute()).toEqual([]);
  });

  it('refuses forged or mismatched author tokens', async () => {
    const first = await shareOne('First struggle');
    const token = s.dmButton(AUTHOR, 'struggles:follow_up');
    await shareOne('Second struggle');
    const mac = token.split('.')[2]!;
    const forged = [`s1.${first.id + 1}.${mac}`, `s1.${first.id}.${'A'.repeat(43)}`, String(first.id), ''];
    for (const bad of forged) {
      const opened = h.fake.callsOf('views.open').length;
      await h.clickButton(MEMBER, 'struggles:follow_up', bad, { channel: `D${MEMBER}`, messageTs: '1.1' });
      expect(h.lastResponseText()).toContain('do not match');
      expect(h.fake.callsOf('views.open')).toHaveLength(opened);
      await h.clickButton(MEMBER, 'struggles:resolve', bad, { channel: `D${MEMBER}`, messageTs: '1.1' });
      expect(h.lastResponseText()).toContain('do not match');
    }
    // A forged follow-up submission, straight to the view endpoint.
    await h.clickButton(AUTHOR, 'struggles:follow_up', token, { channel: `D${AUTHOR}`, messageTs: '1.1' });
    const form = h.lastOpenedView('struggles:follow_up_submit');
    const result = await h.submitView(
      MEMBER,
      { ...form, private_metadata: JSON.stringify({ token: forged[0] }) },
      {
        reply: 'I am the author, honest',
      },
    );
    expect(result.json().response_action).toBe('errors');
    expect(
      await h.db.selectFrom('struggles').select('resolved_at').where('resolved_at', 'is not', null).execute(),
    ).toEqual([]);
    expect(await h.db.selectFrom('struggle_replies').selectAll().execute()).toEqual([]);
    expect(s.threadPosts()).toHaveLength(0);
  });

  it('refuses non-members everywhere', async () => {
    await h.command(OUTSIDER, 'struggle hello');
    expect(h.lastResponseText()).toContain('Only members');
    expect(h.fake.callsOf('views.open')).toHaveLength(0);
    await h.command(OUTSIDER, 'search anything');
    expect(h.lastResponseText()).toContain('Only members');

    // A forged submission of the struggle form by an outsider.
    await h.command(AUTHOR, 'struggle');
    const form = h.lastOpenedView('struggles:post');
    const result = await h.submitView(OUTSIDER, form, { text: 'I am not in this CoP' });
    expect(result.json().response_action).toBe('errors');
    expect(await struggleCount(h)).toBe(0);

    const struggle = await shareOne();
    await h.clickButton(OUTSIDER, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
    expect(h.lastResponseText()).toContain('Only members');
    await h.clickButton(REPLIER, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
    const replyForm = h.lastOpenedView('struggles:reply_submit');
    const forged = await h.submitView(OUTSIDER, replyForm, { reply: 'Outsider reply' });
    expect(forged.json().response_action).toBe('errors');
    expect(await h.db.selectFrom('struggle_replies').selectAll().execute()).toEqual([]);

    // Helpful marks from outsiders do not count.
    await h.react(OUTSIDER, 'bulb', struggle.message_ts!);
    expect(await h.db.selectFrom('struggle_replies').selectAll().execute()).toEqual([]);
  });

  it('the App Home button opens the form for the CoP; thread edits and deletions follow', async () => {
    const struggle = await shareOne('Pairing with remote colleagues');
    await h.clickButton(MEMBER, 'struggles:open', String(struggle.cop_id), { view: { type: 'home' } });
    expect(h.lastOpenedView('struggles:post').private_metadata).toBe(JSON.stringify({ copId: struggle.cop_id }));
    const opened = h.fake.callsOf('views.open').length;
    await h.clickButton(OUTSIDER, 'struggles:open', String(struggle.cop_id), { view: { type: 'home' } });
    expect(h.lastResponseText()).toContain('Only members');
    expect(h.fake.callsOf('views.open')).toHaveLength(opened);

    await s.threadReply(MEMBER, struggle.message_ts!, 'Try mob programming', '1700000600.000001');
    await h.event({
      type: 'message',
      subtype: 'message_changed',
      channel: HOME_CHANNEL,
      hidden: true,
      ts: '1700000601.000001',
      message: {
        type: 'message',
        user: MEMBER,
        text: 'Try ensemble programming',
        ts: '1700000600.000001',
        thread_ts: struggle.message_ts,
      },
      event_ts: '1700000601.000001',
    });
    expect((await h.db.selectFrom('struggle_replies').select('text').executeTakeFirstOrThrow()).text).toBe(
      'Try ensemble programming',
    );
    await h.event({
      type: 'message',
      subtype: 'message_deleted',
      channel: HOME_CHANNEL,
      hidden: true,
      deleted_ts: '1700000600.000001',
      ts: '1700000602.000001',
      event_ts: '1700000602.000001',
    });
    expect(await h.db.selectFrom('struggle_replies').selectAll().execute()).toEqual([]);
  });

  it('the message shortcut marks a reply as a helpful answer', async () => {
    const struggle = await shareOne('Code review takes days');
    await s.threadReply(MEMBER, struggle.message_ts!, 'Review in pairs at fixed times', '1700000700.000001');
    await h.interaction({
      type: 'message_action',
      callback_id: 'struggles:helpful',
      trigger_id: 'trigger.1',
      team: { id: 'T0001', domain: 'example' },
      user: { id: REPLIER, name: 'r', team_id: 'T0001' },
      channel: { id: HOME_CHANNEL, name: 'cop' },
      message: {
        type: 'message',
        user: MEMBER,
        text: 'Review in pairs at fixed times',
        ts: '1700000700.000001',
        thread_ts: struggle.message_ts,
      },
      response_url: h.fake.responseUrl(),
      message_ts: '1700000700.000001',
      action_ts: '1.1',
      token: 'legacy',
    });
    expect(h.lastResponseText()).toContain('helpful answer');
    await h.command(MEMBER, 'search review');
    expect(h.lastResponseText()).toContain(':bulb: Review in pairs');
  });
});

describe('practice struggles: the database does not depend on who wrote what', () => {
  /** The whole flow with these two members as the anonymous author and replier; the database after it. */
  async function flow(author: string, replier: string) {
    const h = await Harness.start({ members: [COORDINATOR, AUTHOR, REPLIER, MEMBER] });
    try {
      const s = new StruggleDriver(h);
      await h.setupCop(COORDINATOR);
      await s.share(author, { text: 'I freeze when presenting to stakeholders', tags: 'presenting' });
      const struggle = await h.db.selectFrom('struggles').selectAll().executeTakeFirstOrThrow();
      await h.clickButton(replier, 'struggles:reply', String(struggle.id), { messageTs: struggle.message_ts! });
      await h.submitView(replier, h.lastOpenedView('struggles:reply_submit'), { reply: 'Rehearse with one friend' });
      const token = s.dmButton(author, 'struggles:follow_up');
      await h.clickButton(author, 'struggles:follow_up', token, { channel: `D${author}`, messageTs: '1.1' });
      await h.submitView(author, h.lastOpenedView('struggles:follow_up_submit'), { reply: 'Will do' });
      const reply = await h.db.selectFrom('struggle_replies').selectAll().orderBy('id').executeTakeFirstOrThrow();
      await h.react(MEMBER, 'bulb', reply.message_ts!);
      await h.clickButton(author, 'struggles:resolve', token, { channel: `D${author}`, messageTs: '1.1' });
      const dump = await dumpDatabase(h.db);
      // Wall-clock defaults and the harness's random event ids differ between any two runs.
      return Object.fromEntries(
        Object.entries(dump).map(([table, rows]) => [
          table,
          rows
            .map((row) =>
              JSON.stringify(
                Object.fromEntries(Object.entries(row).filter(([k]) => !k.endsWith('_at') && k !== 'event_id')),
              ),
            )
            .sort(),
        ]),
      );
    } finally {
      await h.stop();
    }
  }

  it('swapping the anonymous author and replier leaves every table exactly the same', async () => {
    const one = await flow(AUTHOR, REPLIER);
    const swapped = await flow(REPLIER, AUTHOR);
    expect(one.struggles).toHaveLength(1);
    expect(one.struggle_replies).toHaveLength(2);
    expect(swapped).toEqual(one);
  }, 60_000);
});

describe('practice struggles: from /cop help', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: [COORDINATOR, AUTHOR] });
    await h.setupCop(COORDINATOR);
  });
  afterEach(() => h.stop());

  it('help lists struggle and search, with a button that opens the form for this channel’s CoP', async () => {
    await h.command(AUTHOR, 'help');
    const help = h.responses().at(-1)!.params;
    expect(textOf(help)).toContain('/cop struggle [text]');
    expect(textOf(help)).toContain('opens the anonymous struggle modal (text prefilled)');
    expect(textOf(help)).toContain('/cop search <words>');
    expect(textOf(help)).toContain('past struggles and their helpful answers, ranked, with links');
    expect(JSON.stringify(help.blocks)).toContain('struggles:open');
    await h.clickButton(AUTHOR, 'struggles:open', undefined);
    const cop = await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow();
    expect(h.lastOpenedView('struggles:post').private_metadata).toBe(JSON.stringify({ copId: cop.id }));
  });
});
