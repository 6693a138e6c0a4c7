import { checkTopic, parseScheduleForm, streakOf, upcomingStart } from '../../src/features/meetings/rules';
import type { Meeting } from '../../src/db/schema';
import { reminderDm } from '../../src/features/meetings/views';

const FORM = {
  weekday: '2',
  time: '9:05',
  zone: ' Asia/Kolkata ',
  length: '45',
  location: 'Room 4.12',
  lead: '1440',
  skip: '2026-12-29,2026-12-22',
};

const meeting: Meeting = {
  id: 1,
  cop_id: 1,
  weekday: 2,
  local_time: '10:00',
  time_zone: 'Europe/Amsterdam',
  length_minutes: 60,
  location: 'https://meet.example.com/<!here>',
  lead_minutes: 60,
  skip_dates: '',
  updated_by: 'U1',
  updated_at: new Date(),
};

describe('meeting rules', () => {
  it('accepts a valid schedule form and normalises it', () => {
    expect(parseScheduleForm(FORM)).toEqual({
      ok: true,
      input: {
        weekday: 2,
        localTime: '09:05',
        timeZone: 'Asia/Kolkata',
        lengthMinutes: 45,
        location: 'Room 4.12',
        leadMinutes: 1440,
        skipDates: ['2026-12-22', '2026-12-29'],
      },
    });
  });

  it('names every bad field by its block', () => {
    const result = parseScheduleForm({
      weekday: '8',
      time: '25:00',
      zone: 'Nowhere/City',
      length: '2',
      location: 'x'.repeat(301),
      lead: '7',
      skip: 'soon',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual([
      'lead',
      'length',
      'location',
      'skip',
      'time',
      'weekday',
      'zone',
    ]);
    expect(parseScheduleForm({ ...FORM, weekday: null }).ok).toBe(false);
  });

  it('takes "where" as optional: SPEC asks only for weekday, time, zone and lead', () => {
    for (const location of ['', '  ', null, undefined]) {
      const result = parseScheduleForm({ ...FORM, location });
      expect(result).toMatchObject({ ok: true, input: { location: '' } });
    }
  });

  it('checks topics', () => {
    expect(checkTopic('  ')).toEqual({ ok: false, reason: 'empty' });
    expect(checkTopic('x'.repeat(301))).toEqual({ ok: false, reason: 'too_long' });
    expect(checkTopic(' retro ')).toEqual({ ok: true, text: 'retro' });
  });

  it('counts a streak of consecutive attended meetings, newest first', () => {
    expect(streakOf([])).toBe(0);
    expect(streakOf([true, true, false, true])).toBe(2);
    expect(streakOf([false, true])).toBe(0);
  });

  it('treats a meeting in progress as the upcoming one until it ends', () => {
    expect(upcomingStart(meeting, new Date('2026-03-03T09:30:00Z'))).toEqual({
      startsAt: new Date('2026-03-03T09:00:00Z'),
      inProgress: true,
    });
    expect(upcomingStart(meeting, new Date('2026-03-03T10:00:00Z'))).toEqual({
      startsAt: new Date('2026-03-10T09:00:00Z'),
      inProgress: false,
    });
  });

  it('renders a reminder without letting the location ping anyone', () => {
    const dm = reminderDm({
      occasion: { occurrenceId: 7, startsAt: new Date('2026-03-03T09:00:00Z'), meeting },
      channelId: 'C0COP',
      zone: 'Asia/Kolkata',
      agenda: [],
    });
    const all = JSON.stringify(dm);
    expect(all).not.toContain('<!here>');
    expect(all).toContain('&lt;!here&gt;');
    expect(dm.text).toContain('Tuesday 3 March, 14:30');
    expect(all).toContain('Nothing on it yet');
  });
});
