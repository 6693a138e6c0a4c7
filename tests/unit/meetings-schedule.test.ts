import {
  describeLead,
  dueReminder,
  formatInZone,
  localToInstant,
  nextOccurrence,
  nextOccurrences,
  parseSkipDates,
  previousOccurrence,
  reminderTime,
  type Recurrence,
} from '../../src/features/meetings/schedule';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const rule = (over: Partial<Recurrence> = {}): Recurrence => ({
  weekday: 2, // Tuesday
  time: '10:00',
  zone: 'Europe/Amsterdam',
  skipDates: [],
  ...over,
});

describe('meeting time math', () => {
  it('finds the next Tuesdays at 10:00 Amsterdam, strictly after the instant', () => {
    // Monday 2 March 2026, 09:00 UTC; CET is UTC+1.
    expect(iso(nextOccurrences(rule(), new Date('2026-03-02T09:00:00Z'), 2))).toEqual([
      '2026-03-03T09:00:00.000Z',
      '2026-03-10T09:00:00.000Z',
    ]);
    // At the very start, that occurrence is no longer "next".
    expect(nextOccurrence(rule(), new Date('2026-03-03T09:00:00Z'))!.toISOString()).toBe('2026-03-10T09:00:00.000Z');
    expect(nextOccurrence(rule(), new Date('2026-03-03T08:59:59Z'))!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
  });

  it('keeps 10:00 local across spring forward and fall back in Amsterdam', () => {
    // DST starts Sunday 29 March 2026 and ends Sunday 25 October 2026.
    expect(iso(nextOccurrences(rule(), new Date('2026-03-20T00:00:00Z'), 2))).toEqual([
      '2026-03-24T09:00:00.000Z', // CET, UTC+1
      '2026-03-31T08:00:00.000Z', // CEST, UTC+2
    ]);
    expect(iso(nextOccurrences(rule(), new Date('2026-10-19T00:00:00Z'), 2))).toEqual([
      '2026-10-20T08:00:00.000Z',
      '2026-10-27T09:00:00.000Z',
    ]);
  });

  it('keeps 10:00 local across both DST changes in New York', () => {
    const ny = rule({ zone: 'America/New_York', weekday: 1 });
    // DST starts Sunday 8 March 2026, ends Sunday 1 November 2026.
    expect(iso(nextOccurrences(ny, new Date('2026-03-01T00:00:00Z'), 2))).toEqual([
      '2026-03-02T15:00:00.000Z', // EST, UTC-5
      '2026-03-09T14:00:00.000Z', // EDT, UTC-4
    ]);
    expect(iso(nextOccurrences(ny, new Date('2026-10-25T00:00:00Z'), 2))).toEqual([
      '2026-10-26T14:00:00.000Z',
      '2026-11-02T15:00:00.000Z',
    ]);
  });

  it('moves a local time that does not exist on a spring-forward day forward by the gap', () => {
    // 02:30 on Sunday 8 March 2026 does not exist in New York: clocks jump from 02:00 to 03:00.
    expect(localToInstant('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    const sunday = rule({ zone: 'America/New_York', weekday: 7, time: '02:30' });
    expect(nextOccurrence(sunday, new Date('2026-03-07T00:00:00Z'))!.toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // The Sunday after, 02:30 exists again (EDT).
    expect(nextOccurrence(sunday, new Date('2026-03-09T00:00:00Z'))!.toISOString()).toBe('2026-03-15T06:30:00.000Z');
  });

  it('takes the first of a local time that happens twice on a fall-back day', () => {
    // 01:30 on Sunday 1 November 2026 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(localToInstant('2026-11-01', '01:30', 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('works for zones ahead of UTC where the local day is already tomorrow', () => {
    // Auckland (NZDT, UTC+13 until 5 April 2026): Monday 09:00 local is Sunday 20:00 UTC.
    const akl = rule({ zone: 'Pacific/Auckland', weekday: 1, time: '09:00' });
    expect(iso(nextOccurrences(akl, new Date('2026-03-29T12:00:00Z'), 3))).toEqual([
      '2026-03-29T20:00:00.000Z',
      '2026-04-05T21:00:00.000Z', // NZST from 5 April, UTC+12
      '2026-04-12T21:00:00.000Z',
    ]);
    // Kolkata, UTC+5:30, no DST.
    const kol = rule({ zone: 'Asia/Kolkata', weekday: 3, time: '18:00' });
    expect(nextOccurrence(kol, new Date('2026-03-02T00:00:00Z'))!.toISOString()).toBe('2026-03-04T12:30:00.000Z');
  });

  it('works for zones behind UTC where the local day is still yesterday', () => {
    // Los Angeles Friday 17:00 PST is Saturday 01:00 UTC.
    const la = rule({ zone: 'America/Los_Angeles', weekday: 5, time: '17:00' });
    expect(nextOccurrence(la, new Date('2026-03-07T00:30:00Z'))!.toISOString()).toBe('2026-03-07T01:00:00.000Z');
    expect(nextOccurrence(la, new Date('2026-03-07T01:00:00Z'))!.toISOString()).toBe('2026-03-14T00:00:00.000Z'); // PDT
  });

  it('leaves out skip dates, given as local dates in the meeting zone', () => {
    const r = rule({ skipDates: ['2026-03-10', '2026-03-17'] });
    expect(iso(nextOccurrences(r, new Date('2026-03-02T00:00:00Z'), 2))).toEqual([
      '2026-03-03T09:00:00.000Z',
      '2026-03-24T09:00:00.000Z',
    ]);
    // Auckland Monday 2026-03-30 is a Sunday in UTC: the skip date is the local one.
    const akl = rule({ zone: 'Pacific/Auckland', weekday: 1, time: '09:00', skipDates: ['2026-03-30'] });
    expect(nextOccurrence(akl, new Date('2026-03-29T12:00:00Z'))!.toISOString()).toBe('2026-04-05T21:00:00.000Z');
  });

  it('finds the previous occurrence, skipping skipped weeks', () => {
    const r = rule({ skipDates: ['2026-03-10'] });
    expect(previousOccurrence(r, new Date('2026-03-12T00:00:00Z'))!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
    expect(previousOccurrence(r, new Date('2026-03-03T09:00:00Z'))!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
  });

  it('puts the reminder before the start, across midnight and week ends', () => {
    // Monday 00:30 Amsterdam with a 1-hour lead: the reminder is Sunday 23:30 local, the week before.
    const monday = rule({ weekday: 1, time: '00:30' });
    const start = nextOccurrence(monday, new Date('2026-03-04T00:00:00Z'))!;
    expect(start.toISOString()).toBe('2026-03-08T23:30:00.000Z');
    expect(reminderTime(start, 60).toISOString()).toBe('2026-03-08T22:30:00.000Z');
    expect(formatInZone(reminderTime(start, 60), 'Europe/Amsterdam')).toBe('Sunday 8 March, 23:30');
    // Two days before a Monday 09:00 Auckland meeting: Saturday local.
    const akl = rule({ zone: 'Pacific/Auckland', weekday: 1, time: '09:00' });
    const aklStart = nextOccurrence(akl, new Date('2026-03-29T12:00:00Z'))!;
    expect(formatInZone(reminderTime(aklStart, 2880), 'Pacific/Auckland')).toBe('Saturday 28 March, 09:00');
  });

  it('says a reminder is due from its time until the meeting starts, never after', () => {
    const r = rule();
    expect(dueReminder(r, 60, new Date('2026-03-03T07:59:00Z'))).toBeUndefined();
    expect(dueReminder(r, 60, new Date('2026-03-03T08:00:00Z'))!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
    expect(dueReminder(r, 60, new Date('2026-03-03T08:59:00Z'))!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
    // Once it started, the next one is a week away and not yet due.
    expect(dueReminder(r, 60, new Date('2026-03-03T09:00:00Z'))).toBeUndefined();
    // A two-day lead crossing the week end: due from Sunday 10:00 local.
    expect(dueReminder(r, 2880, new Date('2026-03-01T08:59:00Z'))).toBeUndefined();
    expect(dueReminder(r, 2880, new Date('2026-03-01T09:00:00Z'))!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
  });

  it('shows a time in each member’s own zone', () => {
    const start = new Date('2026-03-03T09:00:00Z');
    expect(formatInZone(start, 'Europe/Amsterdam')).toBe('Tuesday 3 March, 10:00');
    expect(formatInZone(start, 'America/Los_Angeles')).toBe('Tuesday 3 March, 01:00');
    expect(formatInZone(start, 'Pacific/Auckland')).toBe('Tuesday 3 March, 22:00');
    expect(formatInZone(start, 'Asia/Kolkata')).toBe('Tuesday 3 March, 14:30');
    expect(formatInZone(new Date('2026-03-03T20:00:00Z'), 'Pacific/Auckland')).toBe('Wednesday 4 March, 09:00');
  });

  it('parses skip dates and names the bad ones', () => {
    expect(parseSkipDates('2026-12-29, 2026-12-22 2026-12-22')).toEqual({
      dates: ['2026-12-22', '2026-12-29'],
      bad: [],
    });
    expect(parseSkipDates('2026-02-30, tomorrow').bad).toEqual(['2026-02-30', 'tomorrow']);
    expect(parseSkipDates('  ')).toEqual({ dates: [], bad: [] });
  });

  it('describes leads', () => {
    expect([15, 60, 120, 1440, 2880].map(describeLead)).toEqual(['15 minutes', '1 hour', '2 hours', '1 day', '2 days']);
  });
});
