/**
 * Acceptance: "The community" in SPEC.md, played as people in Slack would.
 * Buttons are found by their text in what the bot posted; nothing is read from the source.
 */
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { StruggleDriver } from '../support/struggles';
import { BOT_USER_ID } from '../support/fake-slack';
import { callsSince, findButton, postMatching, proposeNorm, shownSince, type Json } from '../support/spec';

const OTHER_CHANNEL = 'C0OTHER';

async function memberIds(h: Harness, channel = HOME_CHANNEL): Promise<string[]> {
  const rows = await h.db
    .selectFrom('members')
    .innerJoin('cops', 'cops.id', 'members.cop_id')
    .where('cops.channel_id', '=', channel)
    .select('members.user_id')
    .orderBy('members.user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

async function homeOf(h: Harness, user: string): Promise<string> {
  const mark = h.fake.calls.length;
  await h.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1.1' });
  const published = callsSince(h, mark).filter((c) => c.method === 'views.publish' && c.params.user_id === user);
  const last = published.at(-1);
  if (!last) throw new Error(`no App Home was published for ${user}`);
  return textOf({ view: last.params.view } as Json);
}

describe('SPEC: the community', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'], others: ['U9'] });
  });
  afterEach(() => h.stop());

  it('/cop setup makes the channel a CoP home; whoever runs it first is its coordinator', async () => {
    await h.command('U2', 'setup');
    expect(h.lastResponseText()).toMatch(/coordinator/i);
    // The channel hears about it.
    const announcement = h.fake.callsOf('chat.postMessage').find((c) => c.params.channel === HOME_CHANNEL);
    expect(announcement).toBeDefined();

    await h.command('U1', 'setup');
    const cops = await h.db.selectFrom('cops').selectAll().execute();
    expect(cops).toHaveLength(1);
    const coordinators = await h.db.selectFrom('coordinators').select('user_id').execute();
    expect(coordinators.map((c) => c.user_id)).toEqual(['U2']);
  });

  it('/cop setup in a direct message is refused: a CoP lives in a channel', async () => {
    await h.command('U2', 'setup', 'DU2');
    expect(h.lastResponseText()).toMatch(/channel/i);
    expect(h.lastResponseText()).not.toMatch(/went wrong/i);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);
  });

  it('a setup that fails half-way leaves no CoP behind, as its "nothing was changed" says', async () => {
    h.fake.inject(
      'conversations.members',
      { body: { ok: true, members: ['U1'] } },
      { body: { ok: false, error: 'fatal_error' } },
    );
    h.fake.on('conversations.members', () => ({ ok: false, error: 'fatal_error' }));
    await h.command('U1', 'setup');
    expect(h.lastResponseText()).toMatch(/nothing was changed/i);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);
    expect(await h.db.selectFrom('coordinators').selectAll().execute()).toHaveLength(0);
  });

  it('a workspace holds several CoPs, and /cop in a channel acts on that channel’s CoP', async () => {
    h.fake.setChannelMembers(OTHER_CHANNEL, ['U1', 'U9', BOT_USER_ID]);
    await h.setupCop('U1');
    await h.command('U9', 'setup', OTHER_CHANNEL);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(2);
    expect(await memberIds(h, OTHER_CHANNEL)).toEqual(['U1', 'U9']);

    await proposeNorm(h, 'U2', 'Cameras on in meetings');
    await h.command('U1', 'norms', OTHER_CHANNEL);
    expect(h.lastResponseText()).not.toContain('Cameras on in meetings');
    await h.command('U1', 'norms');
    expect(h.lastResponseText()).toContain('Cameras on in meetings');

    // U9 coordinates the other CoP, not this one.
    await h.command('U9', 'coordinator <@U9>');
    const coordinators = await h.db
      .selectFrom('coordinators')
      .innerJoin('cops', 'cops.id', 'coordinators.cop_id')
      .where('cops.channel_id', '=', HOME_CHANNEL)
      .select('coordinators.user_id')
      .execute();
    expect(coordinators.map((c) => c.user_id)).toEqual(['U1']);
  });

  it('coordinators can add coordinators, who then have a coordinator’s rights; members cannot', async () => {
    await h.setupCop('U1');
    await h.command('U3', 'coordinator <@U3>');
    expect(h.lastResponseText()).toMatch(/only .*coordinators/i);
    await h.command('U1', 'coordinator <@U2>');
    const coordinators = await h.db.selectFrom('coordinators').select('user_id').orderBy('user_id').execute();
    expect(coordinators.map((c) => c.user_id)).toEqual(['U1', 'U2']);

    // The new coordinator can change the rule: the button opens the rule modal for them.
    await h.command('U2', 'norms');
    const ruleButton = findButton(h.responses().at(-1)!.params, /rule/i);
    const mark = h.fake.calls.length;
    await h.clickButton('U2', ruleButton.action_id, ruleButton.value);
    expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(true);
  });

  it('members are the humans in the channel: bots and the app itself are not members', async () => {
    h.fake.addUser({ id: 'UB2', is_bot: true });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', 'UB2', BOT_USER_ID]);
    await h.setupCop('U1');
    expect(await memberIds(h)).toEqual(['U1', 'U2', 'U3']);
  });

  it('joining the channel is joining; leaving is leaving', async () => {
    await h.setupCop('U1');
    h.fake.addUser({ id: 'U4', tz: 'Europe/Lisbon' });
    await h.event({
      type: 'member_joined_channel',
      user: 'U4',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    expect(await memberIds(h)).toEqual(['U1', 'U2', 'U3', 'U4']);
    await h.event({ type: 'member_left_channel', user: 'U3', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });
    expect(await memberIds(h)).toEqual(['U1', 'U2', 'U4']);

    // The newcomer can vote; the one who left cannot.
    const { ts } = await proposeNorm(h, 'U1', 'Answer within a day');
    await h.react('U4', '+1', ts);
    await h.react('U3', '+1', ts);
    const votes = await h.db.selectFrom('votes').select(['user_id', 'stance']).execute();
    expect(votes.filter((v) => v.stance !== null).map((v) => v.user_id)).toEqual(['U4']);
  });

  it('a newcomer is shown the adopted norms', async () => {
    await h.setupCop('U1');
    const { ts } = await proposeNorm(h, 'U1', 'Share what you learn', 'Post a summary after each conference.');
    await h.react('U1', '+1', ts);
    await h.react('U2', '+1', ts);
    expect(await h.db.selectFrom('norms').select('title').execute()).toEqual([{ title: 'Share what you learn' }]);

    const mark = h.fake.calls.length;
    h.fake.addUser({ id: 'U4' });
    await h.event({
      type: 'member_joined_channel',
      user: 'U4',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    await h.bot.tick();
    const toNewcomer = callsSince(h, mark).filter(
      (c) =>
        (c.method === 'chat.postMessage' && (c.params.channel === 'U4' || c.params.channel === 'DU4')) ||
        (c.method === 'chat.postEphemeral' && c.params.user === 'U4'),
    );
    expect(toNewcomer.length).toBeGreaterThanOrEqual(1);
    const shown = toNewcomer.map((c) => textOf(c.params)).join('\n');
    expect(shown).toContain('Share what you learn');
    expect(shown).toContain('Post a summary after each conference.');
    // Once, however many ticks follow.
    await h.bot.tick();
    await h.bot.tick();
    const again = h.fake
      .callsOf('chat.postMessage')
      .filter(
        (c) =>
          (c.params.channel === 'U4' || c.params.channel === 'DU4') && /Share what you learn/.test(textOf(c.params)),
      );
    expect(again).toHaveLength(1);
  });

  it('a newcomer the bot learns of from the periodic refresh (its join event missed) is shown the norms too', async () => {
    await h.setupCop('U1');
    const { ts } = await proposeNorm(h, 'U1', 'Ask early', 'Ask after 30 minutes stuck.');
    await h.react('U1', '+1', ts);
    await h.react('U2', '+1', ts);
    // The founders, members from the start, get no welcome.
    await h.bot.tick();
    const dmsTo = (user: string) =>
      h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === user || c.params.channel === `D${user}`);
    expect(dmsTo('U2')).toHaveLength(0);

    h.fake.addUser({ id: 'U5' });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', 'U5', BOT_USER_ID]);
    h.clock.advance(7 * 60 * 60 * 1000);
    await h.bot.tick();
    await h.bot.tick();
    expect(await memberIds(h)).toEqual(['U1', 'U2', 'U3', 'U5']);
    const welcome = dmsTo('U5');
    expect(welcome).toHaveLength(1);
    expect(textOf(welcome[0]!.params)).toContain('Ask early');
    expect(dmsTo('U3')).toHaveLength(0);
  });

  it('a newcomer that is a bot is not welcomed and is not a member', async () => {
    await h.setupCop('U1');
    h.fake.addUser({ id: 'UB3', is_bot: true });
    const mark = h.fake.calls.length;
    await h.event({
      type: 'member_joined_channel',
      user: 'UB3',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    await h.bot.tick();
    expect(await memberIds(h)).toEqual(['U1', 'U2', 'U3']);
    expect(
      callsSince(h, mark).filter((c) => c.method === 'chat.postMessage' && /UB3/.test(String(c.params.channel))),
    ).toHaveLength(0);
  });

  describe('forged payloads change nothing', () => {
    beforeEach(() => h.setupCop('U1'));

    it('a non-member’s vote click is refused with a clear reply and stores nothing', async () => {
      const { ts, message } = await proposeNorm(h, 'U2', 'Use threads');
      const support = findButton(message, /support/i);
      await h.clickButton('U9', support.action_id, support.value, { messageTs: ts });
      expect(h.lastResponseText()).toMatch(/member/i);
      expect(await h.db.selectFrom('votes').selectAll().execute()).toHaveLength(0);
      await h.react('U9', '+1', ts);
      expect((await h.db.selectFrom('votes').selectAll().execute()).filter((v) => v.stance)).toHaveLength(0);
    });

    it('a non-member’s proposal submission is refused and stores nothing', async () => {
      await h.command('U2', 'propose Forged');
      const view = h.lastOpenedView();
      const result = await h.submitView('U9', view, { body: 'x', rationale: 'y' });
      expect(result.status).toBe(200);
      expect(await h.db.selectFrom('proposals').selectAll().execute()).toHaveLength(0);
      expect(h.fake.callsOf('chat.postMessage').some((c) => /Forged/.test(textOf(c.params)))).toBe(false);
      // The refusal is said, in the modal or in a message.
      expect(result.body + shownSince(h, 0)).toMatch(/member/i);
    });

    it('a non-member running /cop in the home channel sees none of its content', async () => {
      await proposeNorm(h, 'U2', 'Secret handshake');
      for (const text of ['norms', 'search handshake', 'propose Hijack', 'struggle hi']) {
        const mark = h.fake.calls.length;
        await h.command('U9', text);
        const shown = shownSince(h, mark);
        expect(shown).not.toContain('Secret handshake');
        expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(false);
      }
    });

    it('a non-coordinator cannot change the rule, even with a forged submission', async () => {
      const before = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
      await h.command('U1', 'norms');
      const ruleButton = findButton(h.responses().at(-1)!.params, /rule/i);
      await h.clickButton('U1', ruleButton.action_id, ruleButton.value);
      const ruleView = h.lastOpenedView();

      const mark = h.fake.calls.length;
      await h.clickButton('U2', ruleButton.action_id, ruleButton.value);
      expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(false);
      expect(h.lastResponseText()).toMatch(/coordinator/i);

      const result = await h.submitView('U2', ruleView, { quorum: '1/3', approval: '1/2', window_days: '2' });
      expect(result.status).toBe(200);
      const after = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
      expect(after).toEqual(before);
    });

    it('a coordinator who left the channel no longer has a coordinator’s rights', async () => {
      await h.command('U1', 'norms');
      const ruleButton = findButton(h.responses().at(-1)!.params, /rule/i);
      await h.clickButton('U1', ruleButton.action_id, ruleButton.value);
      const ruleView = h.lastOpenedView();
      const before = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
      await h.event({
        type: 'member_left_channel',
        user: 'U1',
        channel: HOME_CHANNEL,
        channel_type: 'C',
        team: 'T0001',
      });

      const mark = h.fake.calls.length;
      await h.clickButton('U1', ruleButton.action_id, ruleButton.value);
      expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(false);
      await h.submitView('U1', ruleView, { quorum: '1/3', approval: '1/2', window_days: '2' });
      // The rule is unchanged; the member leaving did change what `/cop norms` shows (its version).
      expect(await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow()).toEqual({
        ...before,
        overview_version: expect.any(Number),
      });
      await h.command('U1', 'coordinator <@U3>');
      const coordinators = await h.db.selectFrom('coordinators').select('user_id').execute();
      expect(coordinators.map((c) => c.user_id)).not.toContain('U3');
    });

    it('a coordinator of another CoP cannot act on this one, even naming their own channel', async () => {
      h.fake.setChannelMembers(OTHER_CHANNEL, ['U9', BOT_USER_ID]);
      await h.command('U9', 'setup', OTHER_CHANNEL);
      const { ts, message } = await proposeNorm(h, 'U2', 'Ours alone');
      const support = findButton(message, /support/i);
      await h.clickButton('U9', support.action_id, support.value, { channel: OTHER_CHANNEL, messageTs: ts });
      expect((await h.db.selectFrom('votes').selectAll().execute()).filter((v) => v.stance)).toHaveLength(0);

      await h.command('U2', 'struggle Ours too');
      await h.submitView('U2', h.lastOpenedView(), {});
      const post = postMatching(h, /Ours too/);
      // Coordinators hide with the message shortcut; U9 coordinates another CoP only.
      await new StruggleDriver(h).hideShortcut('U9', String(post.ts));
      const struggle = await h.db.selectFrom('struggles').select('hidden_at').executeTakeFirstOrThrow();
      expect(struggle.hidden_at).toBeNull();

      // Their rule modal, submitted with this CoP's id in its metadata, changes nothing here.
      await h.command('U9', 'norms', OTHER_CHANNEL);
      const ruleButton = findButton(h.responses().at(-1)!.params, /rule/i);
      await h.clickButton('U9', ruleButton.action_id, ruleButton.value, { channel: OTHER_CHANNEL });
      const theirs = h.lastOpenedView();
      const ours = await h.db
        .selectFrom('cops')
        .selectAll()
        .where('channel_id', '=', HOME_CHANNEL)
        .executeTakeFirstOrThrow();
      const forged = { ...theirs, private_metadata: String(theirs.private_metadata).replace(/\d+/, String(ours.id)) };
      await h.submitView('U9', forged, { quorum: '1/3', approval: '1/3', window_days: '1' });
      expect(await h.db.selectFrom('cops').selectAll().where('id', '=', ours.id).executeTakeFirstOrThrow()).toEqual(
        ours,
      );
    });

    it('a non-coordinator cannot add coordinators', async () => {
      await h.command('U9', 'coordinator <@U9>');
      await h.command('U2', 'coordinator <@U2>');
      const coordinators = await h.db.selectFrom('coordinators').select('user_id').execute();
      expect(coordinators.map((c) => c.user_id)).toEqual(['U1']);
    });
  });

  describe('private content only to members, in the App Home too', () => {
    it('the App Home shows a member their CoP’s norms and open proposals, and shows a non-member nothing of it', async () => {
      await h.setupCop('U1');
      const adopted = await proposeNorm(h, 'U1', 'Blameless retros', 'We look at systems, not people.');
      await h.react('U1', '+1', adopted.ts);
      await h.react('U2', '+1', adopted.ts);
      await proposeNorm(h, 'U2', 'Demo on Fridays');
      await h.command('U2', 'struggle Nobody reads the wiki');
      await h.submitView('U2', h.lastOpenedView(), {});
      await h.command('U2', 'struggle Hidden by a coordinator');
      await h.submitView('U2', h.lastOpenedView(), {});
      const hidden = postMatching(h, /Hidden by a coordinator/);
      await new StruggleDriver(h).hideShortcut('U1', String(hidden.ts));

      const member = await homeOf(h, 'U3');
      expect(member).toContain('Blameless retros');
      expect(member).toContain('Demo on Fridays');
      expect(member).toContain('Nobody reads the wiki');
      expect(member).not.toContain('Hidden by a coordinator');

      const outsider = await homeOf(h, 'U9');
      expect(outsider).not.toContain('Blameless retros');
      expect(outsider).not.toContain('Demo on Fridays');
      expect(outsider).not.toContain('Nobody reads the wiki');
    });

    it('a private channel’s CoP stays private to its members', async () => {
      h.fake.setChannelMembers('GPRIV', ['U1', 'U2', BOT_USER_ID]);
      h.fake.on('conversations.info', (params) => ({
        ok: true,
        channel: { id: params.channel, name: 'secret', is_private: params.channel === 'GPRIV' },
      }));
      await h.command('U1', 'setup', 'GPRIV');
      expect(await memberIds(h, 'GPRIV')).toEqual(['U1', 'U2']);
      await h.command('U1', 'propose Private matter', 'GPRIV');
      await h.submitView('U1', h.lastOpenedView(), { body: 'Only for us.', rationale: 'Because.' });
      expect(
        h.fake
          .callsOf('chat.postMessage')
          .some((c) => c.params.channel === 'GPRIV' && /Private matter/.test(textOf(c.params))),
      ).toBe(true);

      expect(await homeOf(h, 'U2')).toContain('Private matter');
      const outsider = await homeOf(h, 'U3');
      expect(outsider).not.toContain('Private matter');
      expect(outsider).not.toContain('GPRIV');

      const mark = h.fake.calls.length;
      await h.command('U3', 'norms', 'GPRIV');
      expect(shownSince(h, mark)).not.toContain('Private matter');
    });
  });
});
