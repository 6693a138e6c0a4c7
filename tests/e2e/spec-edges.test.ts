/**
 * Acceptance: the edges of SPEC.md a real Slack user runs into (votes around the window's end,
 * members who leave, both reactions at once, odd command text, the App Home's own votes).
 */
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import {
  callsSince,
  counted,
  currentMessage,
  DAY,
  findButton,
  proposeNorm,
  status,
  tally,
  users,
  type Json,
} from '../support/spec';

function mrkdwnIn(node: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Json;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(node);
  return out;
}

async function home(h: Harness, user: string): Promise<Json> {
  const mark = h.fake.calls.length;
  await h.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1.1' });
  const call = callsSince(h, mark).find((c) => c.method === 'views.publish' && c.params.user_id === user);
  if (!call) throw new Error('no home published');
  return call.params.view as Json;
}

describe('SPEC edges', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: users(4), others: ['U9'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('votes after the window ends do not adopt, even before the scheduler runs', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Too late');
    h.clock.advance(7 * DAY + 60_000);
    await h.react('U1', '+1', ts);
    await h.react('U2', '+1', ts);
    expect(await status(h, 'Too late')).not.toBe('adopted');
    await h.bot.tick();
    expect(await status(h, 'Too late')).toBe('declined');
    expect(textOf(currentMessage(h, ts))).toMatch(/declined/i);
  });

  it('the vote of someone who left the channel no longer counts', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Leavers');
    await h.react('U3', '-1', ts);
    await h.react('U4', '-1', ts);
    await h.event({ type: 'member_left_channel', user: 'U4', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });
    await h.react('U1', '+1', ts);
    await h.react('U2', '+1', ts);
    // 3 members now: 2 for, 1 against: two thirds, and half of 3 rounded up.
    expect(await status(h, 'Leavers')).toBe('adopted');
  });

  it('with both :+1: and :-1: on the message, removing the older one keeps the latest vote', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Both reactions');
    await h.react('U2', '+1', ts);
    await h.react('U2', '-1', ts);
    await h.react('U2', '+1', ts, { removed: true });
    // U2's :-1: is still on the message: they still object.
    expect(await counted(h)).toEqual({ U2: 'object' });
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 1 });
  });

  it('removing a skin-toned reaction withdraws the vote it cast', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Skin tones');
    await h.react('U2', '+1::skin-tone-4', ts);
    expect(await counted(h)).toEqual({ U2: 'support' });
    await h.react('U2', '+1::skin-tone-4', ts, { removed: true });
    expect(await counted(h)).toEqual({});
  });

  it('an objection by button without a reason still counts', async () => {
    const { ts, message } = await proposeNorm(h, 'U1', 'No reason');
    const object = findButton(message, /object/i);
    await h.clickButton('U2', object.action_id, object.value, { messageTs: ts });
    await h.submitView('U2', h.lastOpenedView(), {});
    expect(await counted(h)).toEqual({ U2: 'object' });
  });

  it('an objection submitted after the proposal was decided changes nothing', async () => {
    const { ts, message } = await proposeNorm(h, 'U1', 'Decided meanwhile');
    const object = findButton(message, /object/i);
    await h.clickButton('U3', object.action_id, object.value, { messageTs: ts });
    const view = h.lastOpenedView();
    await h.react('U1', '+1', ts);
    await h.react('U2', '+1', ts);
    expect(await status(h, 'Decided meanwhile')).toBe('adopted');
    await h.submitView('U3', view, {});
    expect(await status(h, 'Decided meanwhile')).toBe('adopted');
    expect(await h.db.selectFrom('norms').selectAll().execute()).toHaveLength(1);
  });

  it('a Slack retry of a join welcomes the newcomer once', async () => {
    h.fake.addUser({ id: 'U5' });
    const join = { type: 'member_joined_channel', user: 'U5', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' };
    await h.event(join, { eventId: 'EvJoin5' });
    await h.event(join, { eventId: 'EvJoin5', retryNum: 1 });
    await h.bot.tick();
    await h.bot.tick();
    const welcomes = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.channel === 'U5' || c.params.channel === 'DU5');
    expect(welcomes).toHaveLength(1);
  });

  it.each(['  norms  ', 'Norms', 'NORMS'])('"/cop %s" is understood as norms', async (text) => {
    await proposeNorm(h, 'U1', 'Case check');
    await h.command('U2', text);
    expect(h.lastResponseText()).toContain('Case check');
  });

  it('commands outside a CoP home, from someone in no CoP, say how to make one', async () => {
    for (const text of ['norms', 'propose X', 'struggle x', 'search x']) {
      const mark = h.fake.calls.length;
      await h.command('U9', text, 'CNOTCOP');
      expect(h.lastResponseText()).toMatch(/\/cop setup/);
      expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(false);
    }
  });

  it('from a direct message, someone in two CoPs is told to use a CoP’s channel, not to set one up there', async () => {
    h.fake.setChannelMembers('C0OTHER', ['U1', 'U2', 'UBOT']);
    await h.command('U1', 'setup', 'C0OTHER');
    await h.command('U2', 'norms', 'DU2');
    expect(h.lastResponseText()).toMatch(/CoP’s channel/);
    expect(h.lastResponseText()).not.toMatch(/setup` here/);
  });

  it('the App Home shows open proposals with the viewer’s own vote, and recent struggles', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Home vote');
    await h.react('U2', '-1', ts);
    await h.command('U3', 'struggle Onboarding takes months');
    await h.submitView('U3', h.lastOpenedView(), {});

    const mine = textOf({ view: await home(h, 'U2') } as Json);
    expect(mine).toContain('Home vote');
    expect(mine).toMatch(/you object|your vote[^\n]*object/i);
    expect(mine).toContain('Onboarding takes months');
    const theirs = textOf({ view: await home(h, 'U4') } as Json);
    expect(theirs).toContain('Home vote');
    expect(theirs).not.toMatch(/you object/i);
  });

  it('the App Home of someone in two CoPs shows each CoP’s parts under that CoP', async () => {
    h.fake.setChannelMembers('C0OTHER', ['U1', 'U2', 'UBOT']);
    await h.command('U1', 'setup', 'C0OTHER');
    await h.command('U2', 'struggle First CoP struggle');
    await h.submitView('U2', h.lastOpenedView(), {});
    const view = await home(h, 'U2');
    const blocks = (view.blocks ?? []) as Json[];
    const titleOf = (channel: string) => blocks.findIndex((b) => JSON.stringify(b).includes(`<#${channel}>`));
    const first = titleOf(HOME_CHANNEL);
    const second = titleOf('C0OTHER');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThan(first);
    // Nothing between them is titled bigger than the CoP itself (a header would read as a new section).
    expect(blocks.slice(first + 1, second).some((b) => b.type === 'header')).toBe(false);
    const struggleAt = blocks.findIndex((b) => JSON.stringify(b).includes('First CoP struggle'));
    expect(struggleAt).toBeGreaterThan(first);
    expect(struggleAt).toBeLessThan(second);
  });

  it('voting from the App Home counts like voting on the message', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Vote from home');
    const view = await home(h, 'U2');
    const support = findButton(view, /support/i);
    await h.clickButton('U2', support.action_id, support.value, { view: { ...view, id: 'VHOME' } });
    expect(await counted(h)).toEqual({ U2: 'support' });
    expect(tally(currentMessage(h, ts))).toEqual({ support: 1, object: 0 });
  });

  it('the rule modal refuses a window outside 1 to 30 days and stores nothing', async () => {
    await h.command('U1', 'norms');
    const button = findButton(h.responses().at(-1)!.params, /rule/i);
    await h.clickButton('U1', button.action_id, button.value);
    const view = h.lastOpenedView();
    const before = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
    for (const days of ['0', '31', '', '2.5', 'abc']) {
      const result = await h.submitView('U1', view, { window_days: days });
      expect(result.json().response_action).toBe('errors');
    }
    expect(await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow()).toEqual(before);
  });

  it('a proposal title cannot ping the channel', async () => {
    await h.command('U2', 'propose <!here> read this');
    await h.submitView('U2', h.lastOpenedView(), { body: '<!channel> <@U1>', rationale: '<https://evil.example|x>' });
    const post = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.channel === HOME_CHANNEL)
      .at(-1)!;
    // Slack parses mentions and links in mrkdwn (and the fallback text), not in plain_text.
    const shown = [String(post.params.text), ...mrkdwnIn(post.params.blocks)].join('\n');
    expect(shown).not.toMatch(/<!here>|<!channel>|<@U1>|<https:\/\/evil/);
  });
});
