/**
 * Acceptance tests for "Meetings and reminders" (SPEC.md) and issue 4, written as an outside
 * checker would: only what Slack users see and do. Buttons are found by their visible text in
 * the blocks the bot sent and clicked with the action_id/value found there; modals are filled
 * by reading the labels of the view the bot opened.
 */
import type { SlackCall } from '../support/fake-slack';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';

// ---- Reading what the bot sent ---------------------------------------------------------

interface FoundButton {
  text: string;
  action_id: string;
  value: string | undefined;
}

/** Every button in a block list (or anything holding blocks), with its visible text. */
function buttonsIn(node: unknown): FoundButton[] {
  const found: FoundButton[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'button' && typeof o.action_id === 'string') {
        const text = (o.text as { text?: string } | undefined)?.text ?? '';
        found.push({ text, action_id: o.action_id, value: typeof o.value === 'string' ? o.value : undefined });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(node);
  return found;
}

function button(node: unknown, text: RegExp): FoundButton {
  const all = buttonsIn(node);
  const b = all.find((x) => text.test(x.text));
  if (!b) throw new Error(`no button matching ${String(text)}; buttons: ${all.map((x) => x.text).join(' | ')}`);
  return b;
}

const COMING = /^I[’']m coming|^(yes|going|coming)/i;
const NOT_COMING = /can[’']t make it|not coming|^no\b/i;

/** The label text and element of every input block of a view. */
function inputsOf(view: Record<string, unknown>) {
  return ((view.blocks ?? []) as Array<Record<string, unknown>>)
    .filter((b) => b.type === 'input')
    .map((b) => ({
      label: String((b.label as { text?: string }).text ?? ''),
      element: b.element as Record<string, unknown>,
    }));
}

/**
 * Fills a modal by its labels: `fields` maps a label pattern to what a person would enter
 * (for selects and radio buttons, the visible text of the option to pick).
 */
function fillByLabel(view: Record<string, unknown>, fields: Array<[RegExp, string]>): Record<string, string> {
  const values: Record<string, string> = {};
  const inputs = inputsOf(view);
  const used = new Set<string>();
  for (const [pattern, wanted] of fields) {
    // Each input once: "Time (in the time zone below)" is the time, not the zone.
    const input = inputs.find((i) => pattern.test(i.label) && !used.has(String(i.element.action_id)));
    if (!input)
      throw new Error(`no input labelled ${String(pattern)}; labels: ${inputs.map((i) => i.label).join(' | ')}`);
    const actionId = String(input.element.action_id);
    used.add(actionId);
    const options = (input.element.options ?? []) as Array<{ text: { text: string }; value: string }>;
    if (options.length) {
      const option = options.find((o) => o.text.text === wanted) ?? options.find((o) => o.text.text.startsWith(wanted));
      if (!option)
        throw new Error(`no option ${wanted} in ${input.label}: ${options.map((o) => o.text.text).join(' | ')}`);
      values[actionId] = option.value;
    } else {
      values[actionId] = wanted;
    }
  }
  return values;
}

/** A DM's recipient: Slack delivers a post to a user ID as a DM; `D<user>` is the fake's DM id. */
function dmRecipient(call: SlackCall): string | undefined {
  const channel = String(call.params.channel);
  if (/^[UW]/.test(channel)) return channel;
  if (/^D[UW]/.test(channel)) return channel.slice(1);
  return undefined;
}

/** Reminder DMs the bot delivered (Slack answered ok), from the fake's message store. */
function deliveredReminders(
  h: Harness,
): Array<{ user: string; channel: string; ts: string; message: Record<string, unknown> }> {
  const out = [];
  for (const message of h.fake.messages.values()) {
    const channel = String(message.channel);
    if (!channel.startsWith('D')) continue;
    if (!/meeting/i.test(textOf(message)) || buttonsIn(message.blocks).every((b) => !COMING.test(b.text))) continue;
    out.push({ user: channel.slice(1), channel, ts: String(message.ts), message });
  }
  return out;
}

/** Attempts to post a reminder DM (including rate-limited ones). */
function reminderAttempts(h: Harness): SlackCall[] {
  return h.fake
    .callsOf('chat.postMessage')
    .filter((c) => dmRecipient(c) && /meeting/i.test(textOf(c.params)) && buttonsIn(c.params.blocks).length > 0);
}

const usersOf = (list: Array<{ user: string }>) => list.map((d) => d.user).sort();

// ---- Doing what people do -------------------------------------------------------------------

// Monday 2 March 2026, 09:00 UTC.
const START = '2026-03-02T09:00:00Z';

interface ScheduleChoice {
  day: string;
  time: string;
  zone: string;
  lead: string;
  length?: string;
  where?: string;
}
const TUESDAY_10_AMS: ScheduleChoice = { day: 'Tuesday', time: '10:00', zone: 'Europe/Amsterdam', lead: '1 hour' };

/** `/cop meeting`, then the schedule/change button it shows, then the modal filled by its labels. */
async function openScheduleModal(h: Harness, user: string): Promise<Record<string, unknown>> {
  await h.command(user, 'meeting');
  const reply = h.responses().at(-1)!.params;
  const b = button(reply.blocks, /schedule|change/i);
  const before = h.fake.callsOf('views.open').length;
  await h.clickButton(user, b.action_id, b.value, { messageTs: '1700000000.000001' });
  const opened = h.fake.callsOf('views.open');
  if (opened.length === before) throw new Error(`no modal opened; last reply: ${h.lastResponseText()}`);
  return opened.at(-1)!.params.view as Record<string, unknown>;
}

function scheduleValues(view: Record<string, unknown>, c: ScheduleChoice) {
  return fillByLabel(view, [
    [/day/i, c.day],
    [/^time/i, c.time],
    [/zone/i, c.zone],
    [/length|how long/i, c.length ?? '60'],
    [/where/i, c.where ?? 'https://meet.example.com/cop'],
    [/remind/i, c.lead],
  ]);
}

async function scheduleMeeting(h: Harness, c: ScheduleChoice = TUESDAY_10_AMS, user = 'U1') {
  const view = await openScheduleModal(h, user);
  const result = await h.submitView(user, view, scheduleValues(view, c));
  if (result.body) throw new Error(`schedule refused: ${result.body}`);
}

async function meetingReply(h: Harness, user: string): Promise<{ text: string; params: Record<string, unknown> }> {
  await h.command(user, 'meeting');
  const params = h.responses().at(-1)!.params;
  return { text: textOf(params), params };
}

/** `/cop propose`, the modal filled by its labels; returns the posted proposal message's ts. */
async function proposeNorm(h: Harness, user: string, title: string): Promise<string> {
  await h.command(user, `propose ${title}`);
  const view = h.lastOpenedView();
  const values = fillByLabel(view, [
    [/what do you propose/i, 'A new norm'],
    [/^title/i, title],
    [/text/i, 'We keep to it.'],
    [/why/i, 'It helps.'],
  ]);
  const result = await h.submitView(user, view, values);
  if (result.body && result.json().response_action === 'errors') throw new Error(`proposal refused: ${result.body}`);
  const post = h.fake
    .callsOf('chat.postMessage')
    .filter((c) => c.params.channel === HOME_CHANNEL && textOf(c.params).includes(title))
    .at(-1);
  if (!post) throw new Error('the proposal was not posted');
  const stored = [...h.fake.messages.values()].find(
    (m) => m.channel === HOME_CHANNEL && textOf(m).includes(title) && m.ts,
  );
  return String(stored!.ts);
}

async function shareStruggle(h: Harness, user: string, text: string) {
  await h.command(user, 'struggle');
  const view = h.lastOpenedView();
  const values = fillByLabel(view, [[/struggling/i, text]]);
  const result = await h.submitView(user, view, values);
  expect(result.status).toBe(200);
}

/** A click on a button of a DM, from the DM it is in. */
function clickInDm(
  h: Harness,
  user: string,
  dm: { channel: string; ts: string; message: Record<string, unknown> },
  text: RegExp,
) {
  const b = button(dm.message.blocks, text);
  return h.clickButton(user, b.action_id, b.value, { channel: dm.channel, messageTs: dm.ts });
}

const homeOf = async (h: Harness, user: string): Promise<string> => {
  const before = h.fake.callsOf('views.publish').length;
  await h.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1.1' });
  const published = h.fake.callsOf('views.publish').filter((c) => c.params.user_id === user);
  expect(h.fake.callsOf('views.publish').length).toBeGreaterThan(before);
  return textOf({ view: published.at(-1)!.params.view });
};

// ---- The checks -------------------------------------------------------------------------

describe('SPEC: meetings and reminders, as members see them', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'UNY'], others: ['UOUT'], start: START });
    h.fake.addUser({ id: 'UNY', tz: 'America/New_York' });
    // A second bot (an integration) sits in the home channel too.
    h.fake.addUser({ id: 'UOTHERBOT', is_bot: true });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', 'UNY', 'UOTHERBOT', 'UBOT']);
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('a coordinator schedules the meeting from /cop meeting; it says when, in each viewer’s own zone', async () => {
    const first = await meetingReply(h, 'U2');
    expect(first.text).toMatch(/no meeting/i);
    expect(buttonsIn(first.params.blocks).filter((b) => /schedule|change/i.test(b.text))).toHaveLength(0);

    const view = await openScheduleModal(h, 'U1');
    // The modal says what it is for and offers leads from 15 minutes to 2 days.
    expect(textOf({ view })).toMatch(/schedule/i);
    const lead = inputsOf(view).find((i) => /remind/i.test(i.label))!;
    const leadTexts = ((lead.element.options ?? []) as Array<{ text: { text: string } }>).map((o) => o.text.text);
    expect(leadTexts[0]).toMatch(/15 minutes/);
    expect(leadTexts.at(-1)).toMatch(/2 days/);
    // The zone defaults to the coordinator's own (theirs is Europe/Amsterdam).
    expect(JSON.stringify(view)).toContain('Europe/Amsterdam');

    const result = await h.submitView('U1', view, scheduleValues(view, TUESDAY_10_AMS));
    expect(result.status).toBe(200);
    expect(result.body).toBe('');

    // Members in Amsterdam see 10:00 on Tuesday 3 March; New York (still on EST) sees 04:00.
    const ams = await meetingReply(h, 'U2');
    expect(ams.text).toMatch(/Tuesday 3 March, 10:00/);
    expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
    const ny = await meetingReply(h, 'UNY');
    expect(ny.text).toMatch(/Tuesday 3 March, 04:00\W+your time/);
    expect(ny.text).toContain('America/New_York');
    // Non-coordinators get no schedule button.
    expect(buttonsIn(ams.params.blocks).filter((b) => /schedule|change/i.test(b.text))).toHaveLength(0);
    // The coordinator may change it; the modal comes back with the saved values.
    const again = await openScheduleModal(h, 'U1');
    expect(JSON.stringify(again)).toContain('"initial_time":"10:00"');
    await h.submitView('U1', again, scheduleValues(again, { ...TUESDAY_10_AMS, time: '11:00' }));
    const notes = h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === HOME_CHANNEL);
    expect(textOf(notes.at(-1)!.params)).toMatch(/changed the CoP meeting/);
    expect((await meetingReply(h, 'U2')).text).toMatch(/Tuesday 3 March, 11:00/);
  });

  it('a non-coordinator cannot schedule: no button, a forged click and a forged submission change nothing', async () => {
    const view = await openScheduleModal(h, 'U1');
    const coordinatorButton = button(
      h.responses().at(-2)?.params.blocks ?? h.responses().at(-1)!.params.blocks,
      /schedule/i,
    );
    const opened = h.fake.callsOf('views.open').length;

    await h.clickButton('U2', coordinatorButton.action_id, coordinatorButton.value);
    expect(h.fake.callsOf('views.open')).toHaveLength(opened);
    expect(h.lastResponseText()).toMatch(/coordinator/i);

    const forged = await h.submitView('U2', view, scheduleValues(view, TUESDAY_10_AMS));
    expect(forged.json().response_action).toBe('errors');
    expect(JSON.stringify(forged.json().errors)).toMatch(/coordinator/i);
    const reply = await meetingReply(h, 'U2');
    expect(reply.text).toMatch(/no meeting/i);

    // A non-member cannot even look.
    await h.command('UOUT', 'meeting');
    expect(h.lastResponseText()).not.toMatch(/Tuesday/);
  });

  it('each member gets one reminder DM at the reminder time, never before, with their own agenda and RSVP buttons', async () => {
    await scheduleMeeting(h);
    // An open proposal, created as members do; U2 and UNY vote on it, U3 and U1 do not.
    const ts = await proposeNorm(h, 'U1', 'Cameras optional in calls');
    await h.react('U2', '+1', ts);
    await h.react('UNY', '-1', ts);
    // A struggle shared this week, and topics (one with a channel ping in it).
    await shareStruggle(h, 'U3', 'Our flaky integration tests keep failing and nobody trusts CI');
    await h.command('U2', 'topic How we review each other’s code');
    expect(h.lastResponseText()).toMatch(/added/i);
    await h.command('U3', 'topic <!channel> wake up and read <https://evil.example|this>');

    // One minute before the reminder time (08:00 UTC = 09:00 Amsterdam): nothing.
    h.clock.set('2026-03-03T07:59:00Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(0);

    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    const dms = deliveredReminders(h);
    // Every human member, once; not the bots, not the outsider.
    expect(usersOf(dms)).toEqual(['U1', 'U2', 'U3', 'UNY']);

    const u3 = textOf(dms.find((d) => d.user === 'U3')!.message);
    expect(u3).toMatch(/Tuesday 3 March, 10:00/);
    expect(u3).toContain('Cameras optional in calls');
    expect(u3).toContain('flaky integration tests');
    expect(u3).toContain('How we review each other’s code');
    expect(u3).toContain('wake up and read');
    const u3Message = dms.find((d) => d.user === 'U3')!.message;
    expect(JSON.stringify(u3Message)).not.toContain('<!channel>');
    expect(JSON.stringify(u3Message)).not.toContain('<https://evil.example');
    expect(buttonsIn(u3Message.blocks).some((b) => COMING.test(b.text))).toBe(true);
    expect(buttonsIn(u3Message.blocks).some((b) => NOT_COMING.test(b.text))).toBe(true);

    // Those who voted do not see the proposal as awaiting their vote.
    const u2 = textOf(dms.find((d) => d.user === 'U2')!.message);
    expect(u2).not.toContain('Cameras optional in calls');
    expect(u2).toContain('How we review each other’s code');
    const ny = textOf(dms.find((d) => d.user === 'UNY')!.message);
    expect(ny).not.toContain('Cameras optional in calls');
    expect(ny).toMatch(/Tuesday 3 March, 04:00/);
    expect(ny).toContain('America/New_York');

    // More ticks during the lead time, and after: still one each.
    for (const at of ['2026-03-03T08:01:00Z', '2026-03-03T08:30:00Z', '2026-03-03T09:30:00Z']) {
      h.clock.set(at);
      await h.bot.tick();
    }
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2', 'U3', 'UNY']);
    expect(reminderAttempts(h)).toHaveLength(4);

    // The next week: one more each, for 10 March.
    h.clock.set('2026-03-10T08:00:00Z');
    await h.bot.tick();
    const week2 = deliveredReminders(h).filter((d) => textOf(d.message).includes('10 March'));
    expect(usersOf(week2)).toEqual(['U1', 'U2', 'U3', 'UNY']);
    // The topics were for last week's meeting.
    expect(textOf(week2[0]!.message)).not.toContain('How we review each other’s code');
  });

  it('RSVP from the DM updates the DM and who is coming in /cop meeting and the App Home', async () => {
    await scheduleMeeting(h);
    const before = await homeOf(h, 'U2');
    expect(before).toMatch(/Tuesday 3 March, 10:00/);

    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    const dm = deliveredReminders(h).find((d) => d.user === 'U2')!;
    const click = await clickInDm(h, 'U2', dm, COMING);
    expect(click.status).toBe(200);

    // The DM now says the answer, in place.
    const updated = h.fake.messages.get(`${dm.channel}:${dm.ts}`)!;
    expect(textOf(updated)).toMatch(/you(’|')re coming|you said you/i);
    expect(reminderAttempts(h)).toHaveLength(4);

    const seen = await meetingReply(h, 'U3');
    expect(seen.text).toMatch(/1 coming/);
    expect(seen.text).toContain('<@U2>');

    const home = await homeOf(h, 'U2');
    expect(home).toMatch(/you said you(’|')re coming/i);

    // Changing one's mind, from the same DM.
    const redrawn = { ...dm, message: updated };
    await clickInDm(h, 'U2', redrawn, NOT_COMING);
    const after = await meetingReply(h, 'U3');
    expect(after.text).toMatch(/0 coming/);
    expect(after.text).not.toContain('<@U2>');

    // RSVP from /cop meeting's own buttons counts the same.
    const mine = await meetingReply(h, 'UNY');
    const b = button(mine.params.blocks, COMING);
    await h.clickButton('UNY', b.action_id, b.value, { messageTs: '1700000000.000009' });
    expect((await meetingReply(h, 'U3')).text).toMatch(/1 coming.*<@UNY>/s);

    // An outsider's forged RSVP is refused and not counted.
    await h.clickButton('UOUT', b.action_id, b.value, { channel: 'DUOUT', messageTs: '1.1' });
    expect((await meetingReply(h, 'U3')).text).not.toContain('<@UOUT>');
  });

  it('/cop reminders off stops the DMs, on brings them back; anything else explains the command', async () => {
    await scheduleMeeting(h);
    await h.command('U2', 'reminders maybe');
    expect(h.lastResponseText()).toMatch(/reminders (on|off)/);
    await h.command('U2', 'reminders off');
    expect(h.lastResponseText()).toMatch(/off/i);
    // /cop meeting tells them, and how to undo it.
    expect((await meetingReply(h, 'U2')).text).toMatch(/reminder DMs are off for you.*\/cop reminders on/is);
    expect((await meetingReply(h, 'U3')).text).not.toMatch(/reminder DMs are off/i);

    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U3', 'UNY']);

    await h.command('U2', 'reminders maybe');
    await h.command('U2', 'reminders');
    expect(h.lastResponseText()).toMatch(/reminders (on|off)/);
    await h.command('U2', 'REMINDERS ON');
    expect(h.lastResponseText()).toMatch(/\bon\b/i);
    h.clock.set('2026-03-10T08:00:00Z');
    await h.bot.tick();
    const week2 = deliveredReminders(h).filter((d) => textOf(d.message).includes('10 March'));
    expect(usersOf(week2)).toEqual(['U1', 'U2', 'U3', 'UNY']);
  });

  it('a member who joins the channel later gets the reminder for the next meeting', async () => {
    await scheduleMeeting(h);
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).not.toContain('UNEW');

    h.clock.set('2026-03-05T12:00:00Z');
    h.fake.addUser({ id: 'UNEW', tz: 'Asia/Kolkata' });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', 'UNY', 'UOTHERBOT', 'UBOT', 'UNEW']);
    await h.event({
      type: 'member_joined_channel',
      user: 'UNEW',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    // A bot joining is no member.
    h.fake.addUser({ id: 'UBOT2', is_bot: true });
    await h.event({
      type: 'member_joined_channel',
      user: 'UBOT2',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });

    h.clock.set('2026-03-10T08:00:00Z');
    await h.bot.tick();
    const week2 = deliveredReminders(h).filter((d) => textOf(d.message).includes('10 March'));
    expect(usersOf(week2)).toEqual(['U1', 'U2', 'U3', 'UNEW', 'UNY']);
    // 10:00 Amsterdam (CET) is 14:30 in Kolkata.
    expect(textOf(week2.find((d) => d.user === 'UNEW')!.message)).toMatch(/Tuesday 10 March, 14:30/);
  });

  it('a member who joins after the reminders went out, before the meeting, still gets one (once)', async () => {
    await scheduleMeeting(h);
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2', 'U3', 'UNY']);

    h.clock.set('2026-03-03T08:20:00Z');
    h.fake.addUser({ id: 'ULATE', tz: 'Europe/London' });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', 'UNY', 'UOTHERBOT', 'UBOT', 'ULATE']);
    const joined = {
      type: 'member_joined_channel',
      user: 'ULATE',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    };
    await h.event(joined);
    await h.bot.tick();
    // Leaving and coming back does not earn a second one.
    await h.event({ ...joined, type: 'member_left_channel' });
    await h.event(joined);
    h.clock.set('2026-03-03T08:21:00Z');
    await h.bot.tick();
    const late = deliveredReminders(h).filter((d) => d.user === 'ULATE');
    expect(late).toHaveLength(1);
    expect(textOf(late[0]!.message)).toMatch(/Tuesday 3 March, 09:00\W+your time \(Europe\/London\)/);
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2', 'U3', 'ULATE', 'UNY']);

    // Joining after the meeting started: no reminder for it.
    h.clock.set('2026-03-03T09:10:00Z');
    h.fake.addUser({ id: 'UAFTER', tz: 'Europe/London' });
    await h.event({ ...joined, user: 'UAFTER' });
    await h.bot.tick();
    expect(deliveredReminders(h).filter((d) => d.user === 'UAFTER')).toHaveLength(0);
  });

  it('/cop topic refuses empty and very long text, and a ping in a topic pings nobody', async () => {
    await scheduleMeeting(h);
    await h.command('U2', 'topic');
    expect(h.lastResponseText()).toMatch(/\/cop topic/);
    await h.command('U2', 'topic    ');
    expect(h.lastResponseText()).toMatch(/\/cop topic/);
    await h.command('U2', `topic ${'a very long topic '.repeat(200)}`);
    expect(h.lastResponseText()).toMatch(/too long/i);
    const empty = await meetingReply(h, 'U3');
    expect(empty.text).not.toContain('a very long topic');

    await h.command('U2', 'topic <!channel> <!here> <@U1> please look');
    const echo = h.responses().at(-1)!.params;
    expect(JSON.stringify(echo)).not.toMatch(/<!channel>|<!here>|<@U1>/);
    const shown = await meetingReply(h, 'U3');
    expect(shown.text).toContain('please look');
    expect(JSON.stringify(shown.params)).not.toMatch(/<!channel>|<!here>|<@U1>/);
  });
});

describe('SPEC: meetings, more of what people do', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'], others: ['UOUT'], start: START });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('the fan-out looks nobody up one by one, and the home channel hears once that reminders went out', async () => {
    await scheduleMeeting(h);
    h.fake.clearCalls();
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2', 'U3']);
    expect(h.fake.callsOf('users.info')).toHaveLength(0);
    expect(h.fake.callsOf('conversations.open')).toHaveLength(0);
    const notes = h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === HOME_CHANNEL);
    expect(notes).toHaveLength(1);
    expect(textOf(notes[0]!.params)).toMatch(/remind/i);
    expect(JSON.stringify(notes[0]!.params)).not.toMatch(/<!channel>|<!here>|<!everyone>/);
  });

  it('a zone typed in lower case is understood and shown in its usual spelling', async () => {
    await scheduleMeeting(h, { ...TUESDAY_10_AMS, zone: ' europe/amsterdam ' });
    const reply = await meetingReply(h, 'U2');
    expect(reply.text).toMatch(/Tuesday 3 March, 10:00\W+your time \(Europe\/Amsterdam\)/);
    expect(reply.text).not.toContain('europe/amsterdam');
  });

  it('after the meeting a coordinator records attendance; each member sees their own streak', async () => {
    await scheduleMeeting(h);
    h.clock.set('2026-03-03T10:30:00Z');
    const reply = await meetingReply(h, 'U1');
    const record = button(reply.params.blocks, /attendance/i);
    await h.clickButton('U1', record.action_id, record.value, { messageTs: '1.3' });
    const view = h.lastOpenedView();
    expect(textOf({ view })).toMatch(/3 March/);
    const who = inputsOf(view).find((i) => /who came|attend/i.test(i.label))!;
    const values = { [String(who.element.action_id)]: ['U1', 'U2'] };

    // A member forging the submission changes nothing.
    const forged = await h.submitView('U3', view, values);
    expect(forged.json().response_action).toBe('errors');
    expect((await meetingReply(h, 'U2')).text).toMatch(/streak: none/i);

    const saved = await h.submitView('U1', view, values);
    expect(saved.body).toBe('');
    expect((await meetingReply(h, 'U2')).text).toMatch(/streak: 1 meeting/i);
    expect((await meetingReply(h, 'U3')).text).toMatch(/streak: none/i);
    // A member gets no attendance button.
    expect(
      buttonsIn((await meetingReply(h, 'U2')).params.blocks).filter((b) => /attendance/i.test(b.text)),
    ).toHaveLength(0);
  });

  it('a forged RSVP click pointing at another bot message (a proposal) does not overwrite it', async () => {
    await scheduleMeeting(h);
    const ts = await proposeNorm(h, 'U1', 'Cameras optional in calls');
    const before = JSON.stringify(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`));
    const reply = await meetingReply(h, 'U2');
    const b = button(reply.params.blocks, COMING);
    // The click claims to come from the proposal's message in the home channel.
    await h.clickButton('U2', b.action_id, b.value, { channel: HOME_CHANNEL, messageTs: ts });
    expect(JSON.stringify(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`))).toBe(before);
    expect(
      h.fake.callsOf('chat.update').filter((c) => c.params.ts === ts && /coming/i.test(textOf(c.params))),
    ).toHaveLength(0);
    // The answer itself counts: U2 is a member answering for themself.
    expect((await meetingReply(h, 'U3')).text).toMatch(/1 coming/);
  });

  it('a forged RSVP with a nonsense value gets a clear answer and changes nothing', async () => {
    await scheduleMeeting(h);
    const b = button((await meetingReply(h, 'U2')).params.blocks, COMING);
    const replies = h.responses().length;
    const result = await h.clickButton('U2', b.action_id, 'not-a-meeting', { channel: 'DU2', messageTs: '1.1' });
    expect(result.status).toBe(200);
    expect(h.responses().length).toBe(replies + 1);
    expect(h.lastResponseText()).toMatch(/no longer exists|not found|unknown/i);
    await h.clickButton('U2', b.action_id, '99999999999', { channel: 'DU2', messageTs: '1.1' });
    expect(h.responses().length).toBe(replies + 2);
    expect(h.lastResponseText()).toMatch(/no longer exists|not found|unknown/i);
    expect((await meetingReply(h, 'U3')).text).toMatch(/0 coming/);
  });

  it('skip dates from the modal: no reminder that week, the next week as usual', async () => {
    const view = await openScheduleModal(h, 'U1');
    const values = { ...scheduleValues(view, TUESDAY_10_AMS), ...fillByLabel(view, [[/skip/i, '2026-03-10']]) };
    const result = await h.submitView('U1', view, values);
    expect(result.body).toBe('');
    h.clock.set('2026-03-04T12:00:00Z');
    expect((await meetingReply(h, 'U2')).text).toMatch(/Tuesday 17 March, 10:00/);
    h.clock.set('2026-03-10T08:00:00Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(0);
    h.clock.set('2026-03-17T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2', 'U3']);
    expect(textOf(deliveredReminders(h)[0]!.message)).toContain('17 March');
  });

  it('a member who left the channel gets no reminder; an outsider cannot add topics or change reminders', async () => {
    await scheduleMeeting(h);
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'UBOT']);
    await h.event({ type: 'member_left_channel', user: 'U3', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });

    await h.command('UOUT', 'topic outsiders were here');
    await h.command('UOUT', 'reminders off');
    expect((await meetingReply(h, 'U2')).text).not.toContain('outsiders were here');

    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2']);
    expect(textOf(deliveredReminders(h)[0]!.message)).not.toContain('outsiders were here');
  });

  it('RSVP from the App Home updates the home and the count', async () => {
    await scheduleMeeting(h);
    await h.event({ type: 'app_home_opened', user: 'U2', channel: 'DU2', tab: 'home', event_ts: '1.1' });
    const view = h.fake
      .callsOf('views.publish')
      .filter((c) => c.params.user_id === 'U2')
      .at(-1)!.params.view as Record<string, unknown>;
    const b = button(view.blocks, COMING);
    await h.clickButton('U2', b.action_id, b.value, { view: { id: 'VHOME', type: 'home', blocks: view.blocks } });
    const republished = h.fake
      .callsOf('views.publish')
      .filter((c) => c.params.user_id === 'U2')
      .at(-1)!;
    expect(textOf({ view: republished.params.view })).toMatch(/you said you(’|')re coming/i);
    expect((await meetingReply(h, 'U3')).text).toMatch(/1 coming.*<@U2>/s);
  });

  it('a member who moves to another time zone gets the next reminders and /cop meeting in the new one', async () => {
    await scheduleMeeting(h);
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(textOf(deliveredReminders(h).find((d) => d.user === 'U3')!.message)).toMatch(/Tuesday 3 March, 10:00/);

    // U3 moves to Tokyo and sets their Slack time zone; a week later the bot knows.
    h.fake.addUser({ id: 'U3', tz: 'Asia/Tokyo' });
    h.clock.set('2026-03-09T12:00:00Z');
    expect((await meetingReply(h, 'U3')).text).toMatch(/Tuesday 10 March, 18:00\W+your time \(Asia\/Tokyo\)/);
    h.fake.addUser({ id: 'U2', tz: 'America/Los_Angeles' });
    // Shortly before the reminder is due the bot reads old zones again, so the fan-out need not.
    h.clock.set('2026-03-10T07:30:00Z');
    await h.bot.tick();
    const lookups = h.fake.callsOf('users.info').length;
    expect(lookups).toBeGreaterThan(0);
    h.clock.set('2026-03-10T08:00:00Z');
    await h.bot.tick();
    expect(h.fake.callsOf('users.info')).toHaveLength(lookups);
    // Each reads the time in their own zone alone (no second, meeting-zone time beside it).
    const week2 = deliveredReminders(h).filter((d) => textOf(d.message).includes('10 March'));
    for (const d of week2) expect(textOf(d.message)).not.toContain('in Europe/Amsterdam');
    expect(textOf(week2.find((d) => d.user === 'U3')!.message)).toMatch(/Tuesday 10 March, 18:00.*Asia\/Tokyo/s);
    // U2 said nothing to the bot since moving; the reminder follows Slack's profile all the same.
    expect(textOf(week2.find((d) => d.user === 'U2')!.message)).toMatch(
      /Tuesday 10 March, 02:00.*America\/Los_Angeles/s,
    );
  });

  it('two CoPs, two meetings: each channel’s /cop meeting shows its own; a member of both gets both reminders', async () => {
    await scheduleMeeting(h);
    h.fake.setChannelMembers('C0TWO', ['U2', 'U3', 'UBOT']);
    await h.command('U2', 'setup', 'C0TWO');
    await h.command('U2', 'meeting', 'C0TWO');
    const b = button(h.responses().at(-1)!.params.blocks, /schedule/i);
    await h.clickButton('U2', b.action_id, b.value, { channel: 'C0TWO', messageTs: '1.2' });
    const view = h.lastOpenedView();
    const result = await h.submitView(
      'U2',
      view,
      scheduleValues(view, { day: 'Tuesday', time: '11:30', zone: 'Europe/Amsterdam', lead: '1 hour' }),
    );
    expect(result.body).toBe('');
    await h.command('U3', 'meeting', 'C0TWO');
    expect(h.lastResponseText()).toMatch(/Tuesday 3 March, 11:30/);
    await h.command('U3', 'meeting');
    expect(h.lastResponseText()).toMatch(/Tuesday 3 March, 10:00/);
    // U1 coordinates the first CoP only.
    await h.command('U1', 'meeting', 'C0TWO');
    expect(buttonsIn(h.responses().at(-1)!.params.blocks).filter((x) => /schedule|change/i.test(x.text))).toHaveLength(
      0,
    );

    // 10:00 Amsterdam is 09:00 UTC (reminders at 08:00); 11:30 is 10:30 UTC (reminders at 09:30).
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    h.clock.set('2026-03-03T09:30:00Z');
    await h.bot.tick();
    const dms = deliveredReminders(h);
    expect(
      dms
        .filter((d) => textOf(d.message).includes('11:30'))
        .map((d) => d.user)
        .sort(),
    ).toEqual(['U2', 'U3']);
    expect(usersOf(dms)).toEqual(['U1', 'U2', 'U2', 'U3', 'U3']);
  });
});

describe('SPEC: reminders hold up (time zones, DST, rate limits, many instances)', () => {
  let h: Harness;
  afterEach(() => h?.stop());

  it('a weekly 10:00 Europe/Amsterdam meeting stays at 10:00 local across the March change, reminded at the right UTC instant', async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'UNY'], start: '2026-03-20T12:00:00Z' });
    h.fake.addUser({ id: 'UNY', tz: 'America/New_York' });
    await h.setupCop('U1');
    await scheduleMeeting(h);

    // Tuesday 24 March: CET (+1), so 10:00 is 09:00 UTC and the reminder is at 08:00 UTC.
    h.clock.set('2026-03-24T07:59:00Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(0);
    h.clock.set('2026-03-24T08:00:00Z');
    await h.bot.tick();
    const before = deliveredReminders(h);
    expect(usersOf(before)).toEqual(['U1', 'U2', 'UNY']);
    expect(textOf(before.find((d) => d.user === 'U2')!.message)).toMatch(/Tuesday 24 March, 10:00/);
    expect(textOf(before.find((d) => d.user === 'UNY')!.message)).toMatch(/Tuesday 24 March, 05:00/);

    // Sunday 29 March the clocks go forward. Tuesday 31 March: CEST (+2), 10:00 is 08:00 UTC,
    // so the reminder is due at 07:00 UTC, not 08:00.
    h.clock.set('2026-03-31T06:59:00Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(3);
    h.clock.set('2026-03-31T07:00:00Z');
    await h.bot.tick();
    const after = deliveredReminders(h).filter((d) => textOf(d.message).includes('31 March'));
    expect(usersOf(after)).toEqual(['U1', 'U2', 'UNY']);
    expect(textOf(after.find((d) => d.user === 'U2')!.message)).toMatch(/Tuesday 31 March, 10:00/);
    expect(textOf(after.find((d) => d.user === 'UNY')!.message)).toMatch(/Tuesday 31 March, 04:00/);
    const shown = await meetingReply(h, 'U2');
    expect(shown.text).toMatch(/Tuesday 31 March, 10:00/);
  });

  it('a meeting west of UTC on a day that is already tomorrow in UTC, reminded a day ahead, lands on the right day', async () => {
    h = await Harness.start({ members: ['U1', 'ULA'], start: '2026-03-04T12:00:00Z' });
    h.fake.addUser({ id: 'ULA', tz: 'America/Los_Angeles' });
    await h.setupCop('U1');
    // Mondays 18:00 Los Angeles: Monday 9 March (PDT, -7) is Tuesday 10 March 01:00 UTC.
    await scheduleMeeting(h, { day: 'Monday', time: '18:00', zone: 'America/Los_Angeles', lead: '1 day' });
    expect((await meetingReply(h, 'U1')).text).toMatch(/Tuesday 10 March, 02:00\W+your time \(Europe\/Amsterdam\)/);
    expect((await meetingReply(h, 'ULA')).text).toMatch(/Monday 9 March, 18:00\W+your time/);
    h.clock.set('2026-03-09T00:59:00Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(0);
    h.clock.set('2026-03-09T01:00:00Z');
    await h.bot.tick();
    const dms = deliveredReminders(h);
    expect(usersOf(dms)).toEqual(['U1', 'ULA']);
    expect(textOf(dms.find((d) => d.user === 'ULA')!.message)).toMatch(/Monday 9 March, 18:00/);
    expect(textOf(dms.find((d) => d.user === 'U1')!.message)).toMatch(/Tuesday 10 March, 02:00/);
  });

  it('429 with Retry-After on chat.postMessage delays the reminders but drops and doubles none', async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'U4', 'U5'], start: START });
    await h.setupCop('U1');
    await scheduleMeeting(h);
    h.clock.set('2026-03-03T08:00:00Z');
    const limited = { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    h.fake.inject('chat.postMessage', limited, limited, limited);
    const started = Date.now();
    await h.bot.tick();
    // Whatever one tick left behind, later ticks (before the meeting) finish.
    h.clock.set('2026-03-03T08:05:00Z');
    await h.bot.tick();
    h.clock.set('2026-03-03T08:30:00Z');
    await h.bot.tick();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const delivered = deliveredReminders(h);
    expect(usersOf(delivered)).toEqual(['U1', 'U2', 'U3', 'U4', 'U5']);
    // Each delivered once (the 429'd attempts were not delivered).
    expect(new Set(delivered.map((d) => d.user)).size).toBe(delivered.length);
    // The run is logged with how many were sent, skipped and retried (issue 4).
    const summary = h.logs.find((l) => /reminder run/i.test(l));
    expect(summary).toMatch(/sent 5/);
    expect(summary).toMatch(/skipped \d+/);
    expect(summary).toMatch(/retried \d+/);
  });

  it('a reminder is never sent after its meeting started (bot down, or Slack failing, until then)', async () => {
    h = await Harness.start({ members: ['U1', 'U2'], start: START });
    await h.setupCop('U1');
    await scheduleMeeting(h);

    // Slack fails (server errors) from the reminder time until after the meeting started.
    h.fake.on('chat.postMessage', () => ({ status: 500, body: { ok: false, error: 'internal_error' } }));
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    h.fake.on('chat.postMessage', (params) => {
      const channel = String(params.channel);
      const channelId = /^[UW]/.test(channel) ? `D${channel}` : channel;
      const ts = `1800000000.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      const message = { ...params, ts, channel: channelId, user: 'UBOT' };
      h.fake.messages.set(`${channelId}:${ts}`, message);
      return { ok: true, channel: channelId, ts, message };
    });
    h.clock.set('2026-03-03T09:00:00Z');
    await h.bot.tick();
    h.clock.set('2026-03-03T09:30:00Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(0);

    // Bot down from before next week's reminder time until after the meeting began: nothing late.
    h.clock.set('2026-03-10T09:00:01Z');
    await h.bot.tick();
    expect(deliveredReminders(h)).toHaveLength(0);

    // Down over the reminder time but back before the meeting: sent late.
    h.clock.set('2026-03-17T08:45:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2']);
  });

  it('a reminder whose send failed (Slack down a moment) is retried and arrives once, before the meeting', async () => {
    h = await Harness.start({ members: ['U1', 'U2'], start: START });
    await h.setupCop('U1');
    await scheduleMeeting(h);
    let failures = 0;
    h.fake.on('chat.postMessage', (params) => {
      if (String(params.channel) === 'U2' && failures < 5) {
        failures += 1;
        return { status: 503, body: { ok: false, error: 'service_unavailable' } };
      }
      const channel = String(params.channel);
      const channelId = /^[UW]/.test(channel) ? `D${channel}` : channel;
      const ts = `1800000000.${String(h.fake.messages.size + 1).padStart(6, '0')}`;
      const message = { ...params, ts, channel: channelId, user: 'UBOT' };
      h.fake.messages.set(`${channelId}:${ts}`, message);
      return { ok: true, channel: channelId, ts, message };
    });
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1']);
    for (let minute = 1; minute <= 50; minute += 1) {
      h.clock.set(new Date(Date.parse('2026-03-03T08:00:00Z') + minute * 60_000));
      await h.bot.tick();
    }
    expect(usersOf(deliveredReminders(h))).toEqual(['U1', 'U2']);
  });

  it('turning reminders off while one is still waiting to be sent stops it', async () => {
    h = await Harness.start({ members: ['U1', 'U2'], start: START });
    await h.setupCop('U1');
    await scheduleMeeting(h);
    h.fake.on('chat.postMessage', (params) => {
      if (String(params.channel) === 'U2') return { status: 503, body: { ok: false, error: 'service_unavailable' } };
      const channel = String(params.channel);
      const channelId = /^[UW]/.test(channel) ? `D${channel}` : channel;
      const ts = `1800000000.${String(h.fake.messages.size + 1).padStart(6, '0')}`;
      const message = { ...params, ts, channel: channelId, user: 'UBOT' };
      h.fake.messages.set(`${channelId}:${ts}`, message);
      return { ok: true, channel: channelId, ts, message };
    });
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
    expect(usersOf(deliveredReminders(h))).toEqual(['U1']);
    await h.command('U2', 'reminders off');
    h.fake.on('chat.postMessage', (params) => {
      const channel = String(params.channel);
      const channelId = /^[UW]/.test(channel) ? `D${channel}` : channel;
      const ts = `1800000000.${String(h.fake.messages.size + 1).padStart(6, '0')}`;
      const message = { ...params, ts, channel: channelId, user: 'UBOT' };
      h.fake.messages.set(`${channelId}:${ts}`, message);
      return { ok: true, channel: channelId, ts, message };
    });
    for (let minute = 1; minute <= 50; minute += 5) {
      h.clock.set(new Date(Date.parse('2026-03-03T08:00:00Z') + minute * 60_000));
      await h.bot.tick();
    }
    expect(usersOf(deliveredReminders(h))).toEqual(['U1']);
  });

  it('two bot instances on one database send each reminder DM once', async () => {
    const members = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
    const a = await Harness.start({ members, start: START });
    h = a;
    const b = await Harness.start({ members, start: START, sharedDatabase: a.database, fake: a.fake });
    try {
      await a.setupCop('U1');
      await scheduleMeeting(a);
      for (const at of ['2026-03-03T08:00:00Z', '2026-03-03T08:01:00Z']) {
        a.clock.set(at);
        b.clock.set(at);
        await Promise.all([a.bot.tick(), b.bot.tick(), a.bot.tick(), b.bot.tick()]);
      }
      expect(usersOf(deliveredReminders(a))).toEqual(members);
      expect(reminderAttempts(a)).toHaveLength(members.length);
      // An RSVP through the other instance counts once for everyone.
      const dm = deliveredReminders(a).find((d) => d.user === 'U2')!;
      const bt = button(dm.message.blocks, COMING);
      await b.clickButton('U2', bt.action_id, bt.value, { channel: dm.channel, messageTs: dm.ts });
      await a.command('U3', 'meeting');
      expect(a.lastResponseText()).toMatch(/1 coming/);
    } finally {
      await b.stop();
    }
  });
});
