import { attendedWindow, coreGroup, isSkipped } from '../../src/features/meetings/attendance-rules';
import {
  addTallies,
  average,
  checkThreshold,
  monthlyEnabled,
  parseScore,
  pulseResult,
} from '../../src/features/pulse/rules';

describe('pulse rules', () => {
  it('takes scores 1 to 5 only', () => {
    expect(['1', '5'].map(parseScore)).toEqual([1, 5]);
    expect(['0', '6', '2.5', '', 'x', null, undefined, '1e0 '].map(parseScore).filter((s) => s !== undefined)).toEqual([
      1,
    ]);
  });

  it('a threshold can be raised, never set below 3', () => {
    expect(checkThreshold('3')).toEqual({ ok: true, threshold: 3 });
    expect(checkThreshold(' 10 ')).toEqual({ ok: true, threshold: 10 });
    expect(checkThreshold('2')).toMatchObject({ ok: false, message: expect.stringContaining('never set below 3') });
    for (const bad of ['', '-3', '3.5', 'three', '1001']) expect(checkThreshold(bad).ok).toBe(false);
  });

  it('the monthly pulse is on by default from 3 members; a setting wins either way', () => {
    expect(monthlyEnabled(null, 2)).toBe(false);
    expect(monthlyEnabled(null, 3)).toBe(true);
    expect(monthlyEnabled(true, 1)).toBe(true);
    expect(monthlyEnabled(false, 30)).toBe(false);
  });

  it('shows results only once closed and with at least the threshold (never fewer than 3)', () => {
    const three = { struggles: [0, 0, 1, 1, 1], voice: [1, 1, 1, 0, 0] };
    const closes = new Date('2026-03-09T00:00:00Z');
    const after = new Date('2026-03-09T00:00:01Z');
    expect(pulseResult(three, 3, closes, new Date('2026-03-08T00:00:00Z'))).toEqual({ shown: false, reason: 'open' });
    expect(pulseResult(three, 3, closes, after)).toEqual({ shown: true, answers: 3, struggles: 4, voice: 2 });
    expect(pulseResult(three, 4, closes, after)).toEqual({ shown: false, reason: 'too_few' });
    // A threshold below 3 (say, from a bad row) still hides two answers.
    expect(pulseResult({ struggles: [0, 0, 0, 1, 1], voice: [0, 0, 0, 1, 1] }, 1, closes, after)).toEqual({
      shown: false,
      reason: 'too_few',
    });
  });

  it('averages counts; adds tallies', () => {
    expect(average([0, 0, 0, 0, 0])).toBeUndefined();
    expect(average([1, 0, 0, 0, 2])).toBe(3.7);
    expect(
      addTallies([
        { struggles: [1, 0, 0, 0, 0], voice: [0, 1, 0, 0, 0] },
        { struggles: [1, 2, 0, 0, 0], voice: [0, 0, 0, 0, 3] },
      ]),
    ).toEqual({
      struggles: [2, 2, 0, 0, 0],
      voice: [0, 1, 0, 0, 3],
    });
  });
});

describe('attendance rules', () => {
  const start = new Date('2026-03-03T09:00:00Z');
  const end = new Date('2026-03-03T10:00:00Z');

  it('"I was there" is live from the start to a day after the end', () => {
    expect(attendedWindow(start, end, new Date('2026-03-03T08:59:59Z'))).toBe('not_started');
    expect(attendedWindow(start, end, start)).toBe('open');
    expect(attendedWindow(start, end, new Date('2026-03-04T10:00:00Z'))).toBe('open');
    expect(attendedWindow(start, end, new Date('2026-03-04T10:00:01Z'))).toBe('closed');
  });

  it('a skipped date is read in the meeting’s own zone', () => {
    const meeting = { skip_dates: '2026-03-04', time_zone: 'Pacific/Auckland' };
    // 09:00 UTC on the 3rd is 22:00 on the 3rd in Auckland; 12:00 UTC is 01:00 on the 4th.
    expect(isSkipped(meeting, start)).toBe(false);
    expect(isSkipped(meeting, new Date('2026-03-03T12:00:00Z'))).toBe(true);
    expect(isSkipped({ skip_dates: '', time_zone: 'UTC' }, start)).toBe(false);
  });

  it('the core group: at least 3 of the last 4 meetings; none while fewer than 3 were held', () => {
    const m = (...users: string[]) => new Set(users);
    expect(coreGroup([])).toBeUndefined();
    expect(coreGroup([m('A'), m('A')])).toBeUndefined();
    expect(coreGroup([m('A', 'B'), m('A'), m('A', 'B')])).toEqual(m('A'));
    // Only the last four count: B's fifth-newest meeting does not.
    expect(coreGroup([m('A', 'B'), m('A'), m('A', 'B'), m('C'), m('B')])).toEqual(m('A'));
    expect(coreGroup([m('A', 'B'), m('B'), m('A', 'B'), m('A')])).toEqual(m('A', 'B'));
    expect(coreGroup([m(), m(), m()])).toEqual(m());
  });
});
