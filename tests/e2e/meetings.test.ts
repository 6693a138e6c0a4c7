import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import type { SlackCall } from '../support/fake-slack';
import { StruggleDriver } from '../support/struggles';

// Monday 2 March 2026, 09:00 UTC. The meeting: Tuesdays 10:00 Amsterdam (09:00 UTC), reminders
// one hour before (08:00 UTC).
const START = '2026-03-02T09:00:00Z';
const REMINDER_AT = '2026-03-03T08:00:00Z';
const MEETING_AT = '2026-03-03T09:00:00Z';

const SCHEDULE = {
  weekday: '2',
  time: '10:00',
  zone: 'Europe/Amsterdam',
  length: '60',
  location: 'https://meet.example.com/cop',
  lead: '60',
  skip: '',
};

async function copId(h: Harness): Promise<number> {
  const cop = await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow();
  return cop.id;
}

/** The coordinator opens the schedule modal from `/cop meeting` and submits it. */
async function schedule(h: Harness, values: Record<string, string> = SCHEDULE, user = 'U1') {
  await h.command(user, 'meeting');
  await h.clickButton(user, 'meetings:schedule', String(await copId(h)), { messageTs: '1.1' });
  const view = h.lastOpenedView('meetings:schedule');
  return h.submitView(user, view, values);
}

/** Reminder DMs sent to users (posted to a user ID), by recipient. */
function reminderDms(h: Harness): SlackCall[] {
  return h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).startsWith('Reminder:'));
}
const recipients = (calls: SlackCall[]) => calls.map((c) => String(c.params.channel)).sort();

describe('meetings and reminder DMs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'U4'], others: ['U9'], start: START });
    h.fake.addUser({ id: 'U4', tz: 'America/Los_Angeles' });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('a coordinator schedules the meeting; members see it in their own time zone', async () => {
    await h.command('U2', 'meeting');
    expect(h.lastResponseText()).toContain('No meeting is scheduled yet');
    expect(JSON.stringify(h.responses().at(-1)!.params)).not.toContain('meetings:schedule');

    await h.command('U1', 'meeting');
    expect(h.lastResponseText()).toContain('Schedule the meeting');

    const result = await schedule(h);
    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    const meeting = await h.db.selectFrom('meetings').selectAll().executeTakeFirstOrThrow();
    expect(meeting).toMatchObject({
      weekday: 2,
      local_time: '10:00',
      time_zone: 'Europe/Amsterdam',
      length_minutes: 60,
      lead_minutes: 60,
      location: 'https://meet.example.com/cop',
      skip_dates: '',
    });
    const note = h.fake.lastCall('chat.postMessage')!;
    expect(note.params.channel).toBe(HOME_CHANNEL);
    // The channel reads the time as a date token (each member in their own zone), never as UTC text.
    expect(String(note.params.text)).toContain('Every week at the same local time in Europe/Amsterdam');
    expect(String(note.params.text)).toMatch(
      /Next: <!date\^1772528400\^\{date_long_pretty\} at \{time\}\|Tuesday 3 March, 10:00 Europe\/Amsterdam>/,
    );
    expect(String(note.params.text)).not.toMatch(/\bUTC\b/);

    await h.command('U2', 'meeting');
    expect(h.lastResponseText()).toContain('|Tuesday 3 March, 10:00>* your time (Europe/Amsterdam)');
    expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
    await h.command('U4', 'meeting');
    // Their own zone alone: no meeting-zone time beside it.
    expect(h.lastResponseText()).toContain('<!date^1772528400^');
    expect(h.lastResponseText()).toContain('|Tuesday 3 March, 01:00>* your time (America/Los_Angeles)');
    expect(h.lastResponseText()).not.toContain('in Europe/Amsterdam;');
    await h.command('U1', 'meeting');
    expect(h.lastResponseText()).toContain('Change the meeting');
  });

  it('the modal prefills the coordinator’s zone and refuses bad input, storing nothing', async () => {
    await h.command('U1', 'meeting');
    await h.clickButton('U1', 'meetings:schedule', String(await copId(h)));
    const view = h.lastOpenedView('meetings:schedule');
    // The zone is chosen from a type-ahead list, the coordinator's own zone first and preselected.
    const zone = (view.blocks as Array<Record<string, unknown>>).find((b) => b.block_id === 'zone')!;
    expect(zone.element).toMatchObject({
      type: 'external_select',
      initial_option: { value: 'Europe/Amsterdam' },
    });
    const typed = await h.suggest('U1', view, 'zone', 'new y');
    expect(typed.json()).toEqual({
      options: [{ text: { type: 'plain_text', text: 'America/New_York' }, value: 'America/New_York' }],
    });
    const empty = (await h.suggest('U1', view, 'zone', '')).json() as { options: Array<{ value: string }> };
    expect(empty.options[0]).toEqual({
      text: { type: 'plain_text', text: 'Europe/Amsterdam (your zone)' },
      value: 'Europe/Amsterdam',
    });
    expect(empty.options.length).toBe(100);
    const ams = (await h.suggest('U1', view, 'zone', 'amster')).json() as { options: Array<{ value: string }> };
    expect(ams.options.map((o) => o.value)).toEqual(['Europe/Amsterdam']);

    const bad = await h.submitView('U1', view, {
      ...SCHEDULE,
      zone: 'Mars/Olympus',
      skip: '2026-12-25, 2026-02-30',
      location: 'x'.repeat(301),
    });
    const errors = bad.json().errors as Record<string, string>;
    expect(bad.json().response_action).toBe('errors');
    expect(errors.zone).toContain('IANA time zone');
    expect(errors.skip).toContain('2026-02-30');
    expect(errors.location).toBeDefined();
    expect(await h.db.selectFrom('meetings').selectAll().execute()).toHaveLength(0);

    const noLead = await h.submitView('U1', view, { ...SCHEDULE, lead: '45' });
    expect((noLead.json().errors as Record<string, string>).lead).toBeDefined();
    expect(await h.db.selectFrom('meetings').selectAll().execute()).toHaveLength(0);
  });

  it('refuses the schedule button and a forged submission from a non-coordinator', async () => {
    await h.clickButton('U2', 'meetings:schedule', String(await copId(h)));
    expect(h.fake.callsOf('views.open')).toHaveLength(0);
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');

    await h.command('U1', 'meeting');
    await h.clickButton('U1', 'meetings:schedule', String(await copId(h)));
    const view = h.lastOpenedView('meetings:schedule');
    const forged = await h.submitView('U2', view, SCHEDULE);
    expect(forged.json().response_action).toBe('errors');
    expect(JSON.stringify(forged.json().errors)).toContain('Only this CoP’s coordinators');
    expect(await h.db.selectFrom('meetings').selectAll().execute()).toHaveLength(0);
  });

  it('DMs each member once at the reminder time, in their zone, with their agenda; opted-out members and bots get none', async () => {
    await schedule(h);
    await h.command('U3', 'reminders off');
    expect(h.lastResponseText()).toContain('Reminder DMs are off');
    // An open proposal U1 already voted on; a topic with a ping in it.
    const proposal = await h.db
      .insertInto('proposals')
      .values({
        cop_id: await copId(h),
        kind: 'new',
        title: 'Review pull requests within a day',
        body: 'b',
        rationale: 'r',
        proposed_by: 'U1',
        closes_at: new Date('2026-03-09T09:00:00Z'),
        quorum_num: 1,
        quorum_den: 2,
        approval_num: 2,
        approval_den: 3,
        channel_id: HOME_CHANNEL,
        message_ts: '1.5',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('votes')
      .values({ proposal_id: proposal.id, user_id: 'U1', stance: 'support', acted_at: START, updated_at: START })
      .execute();
    await h.command('U2', 'topic pairing on flaky tests <!channel>');
    expect(h.lastResponseText()).toContain('Added to the agenda of the meeting on <!date^1772528400^');
    expect(h.lastResponseText()).toContain('|Tuesday 3 March, 10:00> (your time)');
    expect(h.lastResponseText()).toContain('&lt;!channel&gt;');

    h.clock.set('2026-03-03T07:59:00Z');
    await h.bot.tick();
    expect(reminderDms(h)).toHaveLength(0);
    // A bot that slipped into the member cache (after the tick's member sync) gets nothing.
    await h.db
      .insertInto('slack_users')
      .values({ user_id: 'UBOT2', team_id: 'T0001', is_bot: true, deleted: false, tz: null, updated_at: new Date() })
      .execute();
    await h.db
      .insertInto('members')
      .values({ cop_id: await copId(h), user_id: 'UBOT2' })
      .execute();

    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    const dms = reminderDms(h);
    expect(recipients(dms)).toEqual(['U1', 'U2', 'U4']);
    const byUser = (u: string) => textOf(dms.find((d) => d.params.channel === u)!.params);
    expect(byUser('U2')).toContain('|Tuesday 3 March, 10:00>* your time (Europe/Amsterdam)');
    expect(byUser('U4')).toContain('|Tuesday 3 March, 01:00>* your time (America/Los_Angeles)');
    expect(byUser('U4')).not.toContain('Europe/Amsterdam');
    expect(byUser('U2')).toContain('https://meet.example.com/cop');
    expect(byUser('U2')).toContain('Review pull requests within a day');
    expect(byUser('U1')).not.toContain('Review pull requests within a day');
    expect(byUser('U1')).toContain('pairing on flaky tests &lt;!channel&gt;');
    expect(byUser('U1')).not.toContain('<!channel>');
    expect(JSON.stringify(dms[0]!.params.blocks)).toContain('meetings:rsvp_yes');

    const announcement = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.channel === HOME_CHANNEL && String(c.params.text).includes('Reminders for'));
    expect(announcement).toHaveLength(1);
    expect(String(announcement[0]!.params.text)).toContain('Reminders for the meeting on <!date^1772528400^');
    expect(String(announcement[0]!.params.text)).toContain('0 coming so far');

    // Later ticks send nothing again.
    h.clock.set('2026-03-03T08:30:00Z');
    await h.bot.tick();
    await h.bot.tick();
    expect(reminderDms(h)).toHaveLength(3);
    expect(h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === HOME_CHANNEL)).toHaveLength(
      3, // setup, the schedule note, the announcement
    );
    expect(h.logs.join('\n')).toMatch(/queued 3, skipped 2 \(1 opted out/);
    expect(h.logs.join('\n')).toMatch(
      /reminder run for meeting \d+ on 2026-03-03T09:00:00.000Z done: queued 3, sent 3/,
    );
  });

  it('schedules without a "where", and the reminder then says nothing about where', async () => {
    const result = await schedule(h, { ...SCHEDULE, location: '' });
    expect(result.body).toBe('');
    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    const dm = textOf(reminderDms(h).find((d) => d.params.channel === 'U2')!.params);
    expect(dm).toContain('Tuesday 3 March, 10:00');
    expect(dm).not.toContain('Where');
  });

  it('the reminder agenda lists struggles shared since the last meeting, with links, not hidden ones', async () => {
    await schedule(h);
    const struggles = new StruggleDriver(h);
    await struggles.share('U2', { text: 'Estimates keep slipping and I do not know why' });
    await struggles.share('U3', { text: 'Code review feels like gatekeeping <!here>' });
    // A coordinator hid the second one.
    await h.db
      .updateTable('struggles')
      .set({ hidden_at: new Date(START) })
      .where('text', 'like', 'Code review%')
      .execute();

    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    const dm = textOf(reminderDms(h).find((d) => d.params.channel === 'U1')!.params);
    expect(dm).toContain('Struggles shared since the last meeting');
    expect(dm).toMatch(/<https:\/\/example\.slack\.com\/archives\/C0COP\/p\d+\|Estimates keep slipping/);
    expect(dm).not.toContain('Code review feels like gatekeeping');
  });

  it('an RSVP updates the DM in place, the counts in /cop meeting and the announcement', async () => {
    await schedule(h);
    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    const dm = reminderDms(h).find((d) => d.params.channel === 'U2')!;
    const sent = await h.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'U2')
      .where('purpose', '=', 'reminder')
      .executeTakeFirstOrThrow();
    expect(sent.channel_id).toBe('DU2');
    const occurrence = await h.db.selectFrom('meeting_occurrences').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(dm.params.blocks)).toContain(`"value":"${occurrence.id}"`);

    await h.clickButton('U2', 'meetings:rsvp_yes', String(occurrence.id), {
      channel: sent.channel_id!,
      messageTs: sent.message_ts!,
    });
    const updates = h.fake.callsOf('chat.update');
    const dmUpdate = updates.find((u) => u.params.channel === 'DU2')!;
    expect(dmUpdate.params.ts).toBe(sent.message_ts);
    expect(textOf(dmUpdate.params)).toContain('You said you’re coming');
    expect(textOf(h.fake.messages.get(`DU2:${sent.message_ts}`)!)).toContain('I’m coming ✓');
    const announcementUpdate = updates.find((u) => u.params.channel === HOME_CHANNEL)!;
    expect(String(announcementUpdate.params.text)).toContain('1 coming so far');

    await h.command('U3', 'meeting');
    expect(h.lastResponseText()).toContain('1 coming: <@U2>');
    // Changing one's mind replaces the answer.
    await h.clickButton('U2', 'meetings:rsvp_no', String(occurrence.id), {
      channel: sent.channel_id!,
      messageTs: sent.message_ts!,
    });
    await h.command('U3', 'meeting');
    expect(h.lastResponseText()).toContain('0 coming; 1 can’t make it');
    const rsvps = await h.db.selectFrom('meeting_rsvps').selectAll().execute();
    expect(rsvps).toHaveLength(1);
    expect(rsvps[0]).toMatchObject({ user_id: 'U2', coming: false });

    // A non-member's forged click changes nothing.
    await h.clickButton('U9', 'meetings:rsvp_yes', String(occurrence.id), { channel: 'DU9', messageTs: '1.1' });
    expect(h.lastResponseText()).toContain('Only members');
    expect(await h.db.selectFrom('meeting_rsvps').selectAll().execute()).toHaveLength(1);
  });

  it('opting out and back in; anything else shows the usage', async () => {
    await schedule(h);
    await h.command('U2', 'reminders maybe');
    expect(h.lastResponseText()).toContain('/cop reminders off');
    await h.command('U2', 'reminders off');
    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    expect(recipients(reminderDms(h))).toEqual(['U1', 'U3', 'U4']);

    await h.command('U2', 'reminders on');
    expect(h.lastResponseText()).toContain('Reminder DMs are on');
    h.clock.set('2026-03-10T08:00:00Z');
    await h.bot.tick();
    const nextWeek = reminderDms(h).filter((c) => textOf(c.params).includes('10 March'));
    expect(recipients(nextWeek)).toEqual(['U1', 'U2', 'U3', 'U4']);
  });

  it('/cop topic: usage when empty, an error when too long, and nothing without a meeting', async () => {
    await h.command('U2', 'topic something');
    expect(h.lastResponseText()).toContain('No meeting is scheduled yet');
    await schedule(h);
    await h.command('U2', 'topic');
    expect(h.lastResponseText()).toContain('/cop topic <text>');
    await h.command('U2', `topic ${'x'.repeat(301)}`);
    expect(h.lastResponseText()).toContain('too long');
    expect(await h.db.selectFrom('meeting_topics').selectAll().execute()).toHaveLength(0);
    await h.command('U2', 'topic retro of the *quarter*');
    await h.command('U3', 'meeting');
    expect(h.lastResponseText()).toContain('retro of the *quarter*');
  });

  it('a reminder missed while down goes out late while the meeting is ahead, never after it', async () => {
    await schedule(h);
    // Nothing ran at 08:00; the first tick is at 08:50.
    h.clock.set('2026-03-03T08:50:00Z');
    await h.bot.tick();
    expect(recipients(reminderDms(h))).toEqual(['U1', 'U2', 'U3', 'U4']);
    expect(h.logs.join('\n')).toContain('50 minutes late');

    // Next week, every instance is down until after the meeting started: no reminders at all.
    h.clock.set('2026-03-10T09:01:00Z');
    await h.bot.tick();
    expect(reminderDms(h).filter((c) => textOf(c.params).includes('10 March'))).toHaveLength(0);

    // Queued in time but undeliverable until the start: dropped unsent at the start.
    h.fake.on('chat.postMessage', () => ({ ok: false, error: 'internal_error' }));
    h.clock.set('2026-03-17T08:00:00Z');
    await h.bot.tick();
    h.fake.on('chat.postMessage', (params) => ({ ok: true, channel: `D${String(params.channel)}`, ts: '9.9' }));
    h.clock.set('2026-03-17T09:00:00Z');
    await h.bot.tick();
    const delivered = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => textOf(c.params).includes('17 March'))
      .filter((c) => String(c.params.channel).startsWith('U'));
    // Four failed attempts at 08:00, none at or after 09:00.
    expect(delivered).toHaveLength(4);
    const rows = await h.db
      .selectFrom('outbox')
      .select(['status', 'last_error'])
      .where('dedupe_key', 'like', 'reminder:%:2026-03-17%')
      .execute();
    expect(rows.every((r) => r.status === 'failed' && r.last_error === 'expired')).toBe(true);
  });

  it('rides out 429s without dropping or duplicating, and skips a member whose DM fails for good', async () => {
    await schedule(h);
    h.fake.inject(
      'chat.postMessage',
      { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
      { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
    );
    h.fake.on('chat.postMessage', (params) =>
      params.channel === 'U4'
        ? { ok: false, error: 'user_not_found' }
        : { ok: true, channel: `D${String(params.channel)}`, ts: `1.${String(params.channel)}` },
    );
    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    const delivered = h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).startsWith('Reminder:'));
    // Every member was tried; the two 429s were retried, not dropped.
    expect(delivered.length).toBe(4 + 2);
    const rows = await h.db
      .selectFrom('outbox')
      .select(['recipient', 'status', 'last_error'])
      .where('purpose', '=', 'reminder')
      .orderBy('recipient')
      .execute();
    expect(rows).toEqual([
      { recipient: 'U1', status: 'sent', last_error: null },
      { recipient: 'U2', status: 'sent', last_error: null },
      { recipient: 'U3', status: 'sent', last_error: null },
      { recipient: 'U4', status: 'failed', last_error: 'user_not_found' },
    ]);
    expect(h.logs.join('\n')).toContain('failed for good: user_not_found');
    h.clock.set('2026-03-03T08:01:00Z');
    await h.bot.tick();
    expect(h.logs.join('\n')).toMatch(
      /done: queued 4, sent 3, skipped 1 \(0 opted out or bots, 1 failed: 1 user_not_found/,
    );
    // No duplicates: each delivered member got exactly one successful DM.
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(3);
  });

  it('moving the meeting cancels unsent reminders for the old time and moves its topics', async () => {
    await schedule(h);
    await h.command('U2', 'topic onboarding');
    h.fake.on('chat.postMessage', () => ({ ok: false, error: 'internal_error' }));
    h.clock.set(REMINDER_AT);
    await h.bot.tick();
    h.fake.on('chat.postMessage', (params) => ({ ok: true, channel: `D${String(params.channel)}`, ts: '2.2' }));
    // Moved to Wednesday: Tuesday's pending reminders must not go out.
    await schedule(h, { ...SCHEDULE, weekday: '3' });
    h.fake.clearCalls();
    h.clock.set('2026-03-03T08:30:00Z');
    await h.bot.tick();
    expect(reminderDms(h)).toHaveLength(0);
    const pending = await h.db.selectFrom('outbox').select('last_error').where('purpose', '=', 'reminder').execute();
    expect(pending.every((r) => r.last_error === 'cancelled: the meeting moved')).toBe(true);
    await h.command('U3', 'meeting');
    expect(h.lastResponseText()).toContain('Wednesday 4 March, 10:00');
    h.clock.set('2026-03-04T08:00:00Z');
    await h.bot.tick();
    expect(recipients(reminderDms(h))).toEqual(['U1', 'U2', 'U3', 'U4']);
    expect(textOf(reminderDms(h)[0]!.params)).toContain('onboarding');
  });

  it('records attendance after the meeting; members see their streak', async () => {
    await schedule(h);
    // Last Tuesday was before the meeting was scheduled: nothing to record yet.
    await h.command('U1', 'meeting');
    expect(h.lastResponseText()).not.toContain('Record attendance');
    h.clock.set('2026-03-03T10:30:00Z');
    await h.command('U1', 'meeting');
    const response = h.responses().at(-1)!;
    const attendanceValue = `${await copId(h)}:${MEETING_AT.replace('Z', '.000Z')}`;
    expect(JSON.stringify(response.params)).toContain(attendanceValue);

    await h.clickButton('U2', 'meetings:attendance', attendanceValue);
    expect(h.fake.callsOf('views.open').filter((c) => JSON.stringify(c.params).includes('attendance'))).toHaveLength(0);
    await h.clickButton('U1', 'meetings:attendance', attendanceValue);
    const view = h.lastOpenedView('meetings:attendance');
    const forged = await h.submitView('U2', view, { attendees: ['U2'] });
    expect(forged.json().response_action).toBe('errors');
    await h.submitView('U1', view, { attendees: ['U1', 'U2'] });
    const attended = await h.db.selectFrom('meeting_attendance').select('user_id').orderBy('user_id').execute();
    expect(attended.map((a) => a.user_id)).toEqual(['U1', 'U2']);

    await h.command('U2', 'meeting');
    expect(h.lastResponseText()).toContain('Your attendance streak: 1 meeting in a row');
    await h.command('U3', 'meeting');
    expect(h.lastResponseText()).toContain('Your attendance streak: none yet');

    // A second meeting attended makes two in a row.
    h.clock.set('2026-03-10T10:30:00Z');
    await h.command('U1', 'meeting');
    await h.clickButton('U1', 'meetings:attendance', `${await copId(h)}:2026-03-10T09:00:00.000Z`);
    await h.submitView('U1', h.lastOpenedView('meetings:attendance'), { attendees: ['U2'] });
    await h.event({ type: 'app_home_opened', user: 'U2', channel: 'D2', tab: 'home', event_ts: '1.1' });
    expect(textOf(h.fake.lastCall('views.publish')!.params)).toContain('2 meetings in a row');
  });

  it('the App Home shows the next meeting, the viewer’s RSVP and buttons to change it', async () => {
    await schedule(h);
    await h.event({ type: 'app_home_opened', user: 'U4', channel: 'D4', tab: 'home', event_ts: '1.1' });
    const home = textOf(h.fake.lastCall('views.publish')!.params);
    expect(home).toContain('|Tuesday 3 March, 01:00>* your time (America/Los_Angeles)');
    expect(home).toContain('You haven’t said whether you’re coming yet');
    const occurrence = await h.db.selectFrom('meeting_occurrences').selectAll().executeTakeFirstOrThrow();
    await h.clickButton('U4', 'meetings:rsvp_yes', String(occurrence.id), { view: { id: 'VHOME' } });
    expect(textOf(h.fake.lastCall('views.publish')!.params)).toContain('You said you’re coming');
  });
});

describe('two bot instances on one Postgres database', () => {
  it('send each reminder DM exactly once', async () => {
    const members = Array.from({ length: 30 }, (_, i) => `U${100 + i}`);
    const a = await Harness.start({ members, start: START });
    const b = await Harness.start({ members, start: START, sharedDatabase: a.database, fake: a.fake });
    try {
      await a.setupCop(members[0]);
      await schedule(a, SCHEDULE, members[0]);
      a.clock.set(REMINDER_AT);
      b.clock.set(REMINDER_AT);
      // A 429 in the middle, too.
      a.fake.inject('chat.postMessage', {
        status: 429,
        headers: { 'retry-after': '1' },
        body: { ok: false, error: 'ratelimited' },
      });
      await Promise.all([a.bot.tick(), b.bot.tick(), a.bot.tick(), b.bot.tick()]);
      await Promise.all([a.bot.tick(), b.bot.tick()]);
      const ok = a.fake
        .callsOf('chat.postMessage')
        .filter((c) => String(c.params.text).startsWith('Reminder:'))
        .map((c) => String(c.params.channel));
      // One extra call for the 429'd attempt; the set of successful DMs is each member once.
      expect(ok.length).toBe(members.length + 1);
      expect([...new Set(ok)].sort()).toEqual([...members].sort());
      const rows = await a.db
        .selectFrom('outbox')
        .select(['recipient', 'status'])
        .where('purpose', '=', 'reminder')
        .execute();
      expect(rows).toHaveLength(members.length);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      const announcements = a.fake
        .callsOf('chat.postMessage')
        .filter((c) => String(c.params.text).includes('Reminders for'));
      expect(announcements).toHaveLength(1);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
