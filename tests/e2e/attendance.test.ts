import { Harness } from '../support/harness';
import type { SlackCall } from '../support/fake-slack';

// Monday 2 March 2026. The meeting: Tuesdays 10:00 Amsterdam (09:00 UTC), 60 minutes, reminders
// one hour before.
const START = '2026-03-02T09:00:00Z';
const SCHEDULE = {
  weekday: '2',
  time: '10:00',
  zone: 'Europe/Amsterdam',
  length: '60',
  location: '',
  lead: '60',
  skip: '',
};

async function copId(h: Harness): Promise<number> {
  return (await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow()).id;
}

async function schedule(h: Harness, values: Record<string, string> = SCHEDULE) {
  await h.clickButton('U1', 'meetings:schedule', String(await copId(h)), { messageTs: '1.1' });
  await h.submitView('U1', h.lastOpenedView('meetings:schedule'), values);
}

const reminderTo = (h: Harness, user: string): SlackCall =>
  h.fake
    .callsOf('chat.postMessage')
    .filter((c) => String(c.params.text).startsWith('Reminder:') && c.params.channel === user)
    .at(-1)!;

/** Clicks "I was there" on the member's own reminder DM; returns what they were told. */
async function iWasThere(h: Harness, user: string, occurrenceId: number): Promise<string> {
  await h.clickButton(user, 'meetings:attended', String(occurrenceId), { channel: `D${user}`, messageTs: '1.1' });
  return h.lastResponseText();
}

async function attendees(h: Harness): Promise<string[]> {
  const rows = await h.db.selectFrom('meeting_attendance').select('user_id').orderBy('user_id').execute();
  return rows.map((r) => r.user_id);
}

describe('attendance: "I was there" on the reminder DM', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'U4'], others: ['U9'], start: START });
    await h.setupCop('U1');
    await h.waitForMembers(4);
    await schedule(h);
    await h.command('U4', 'reminders off');
    h.clock.set('2026-03-03T08:00:00Z');
    await h.bot.tick();
  });
  afterEach(() => h.stop());

  it('the reminder carries the button; it counts members from the start to a day after the end, once', async () => {
    const dm = reminderTo(h, 'U2');
    expect(JSON.stringify(dm.params.blocks)).toContain('"text":"I was there"');
    expect(JSON.stringify(dm.params.blocks)).toContain('until a day after it ends');
    const occurrence = await h.db.selectFrom('meeting_occurrences').selectAll().executeTakeFirstOrThrow();

    // Before the meeting starts: not yet.
    expect(await iWasThere(h, 'U2', occurrence.id)).toContain('has not started yet');
    expect(await attendees(h)).toEqual([]);

    h.clock.set('2026-03-03T09:10:00Z');
    expect(await iWasThere(h, 'U2', occurrence.id)).toContain(
      'Thanks: you are counted at the meeting of Tuesday 3 March, 10:00',
    );
    expect(await iWasThere(h, 'U2', occurrence.id)).toContain('already counted');
    expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
    expect(await attendees(h)).toEqual(['U2']);

    // A day after the end (10:00 UTC on the 4th) is still in; a minute later is not.
    h.clock.set('2026-03-04T10:00:00Z');
    expect(await iWasThere(h, 'U3', occurrence.id)).toContain('Thanks');
    h.clock.set('2026-03-04T10:01:00Z');
    expect(await iWasThere(h, 'U1', occurrence.id)).toContain('more than a day since that meeting ended');
    expect(await attendees(h)).toEqual(['U2', 'U3']);

    // The coordinators' list starts from what members said, and they can correct it.
    const occurrenceRow = await h.db.selectFrom('meeting_occurrences').selectAll().executeTakeFirstOrThrow();
    expect(occurrenceRow.attendance_recorded_at).not.toBeNull();
    await h.clickButton('U1', 'meetings:attendance', `${await copId(h)}:2026-03-03T09:00:00.000Z`);
    const view = h.lastOpenedView('meetings:attendance');
    expect(JSON.stringify(view)).toContain('"initial_users":["U2","U3"]');
    await h.submitView('U1', view, { attendees: ['U1', 'U2', 'U3'] });
    expect(await attendees(h)).toEqual(['U1', 'U2', 'U3']);
  });

  it('refuses members who got no reminder, non-members and forged values', async () => {
    const occurrence = await h.db.selectFrom('meeting_occurrences').selectAll().executeTakeFirstOrThrow();
    h.clock.set('2026-03-03T09:10:00Z');
    // U4 turned reminders off, so was not expected.
    expect(await iWasThere(h, 'U4', occurrence.id)).toContain('Only members who were sent a reminder');
    expect(await iWasThere(h, 'U9', occurrence.id)).toContain('Only members of this CoP');
    expect(await iWasThere(h, 'U2', 999999)).toContain('no longer exists');
    expect(await iWasThere(h, 'U2', Number.NaN)).toContain('no longer exists');
    expect(await attendees(h)).toEqual([]);
  });

  it('a date skipped after its reminders went out takes no "I was there"', async () => {
    const occurrence = await h.db.selectFrom('meeting_occurrences').selectAll().executeTakeFirstOrThrow();
    await schedule(h, { ...SCHEDULE, skip: '2026-03-03' });
    h.clock.set('2026-03-03T09:10:00Z');
    expect(await iWasThere(h, 'U2', occurrence.id)).toContain('That date was skipped');
    expect(await attendees(h)).toEqual([]);
  });
});
