import {
  calendarZone,
  isDue,
  localDate,
  nextReviewOn,
  noonOf,
  reviewBase,
  reviewsToOpen,
} from '../../src/features/norms/reviews-rules';
import { monthlyTurnout, percent, turnout } from '../../src/features/norms/participation-rules';

describe('the review schedule', () => {
  it('counts from the latest of adoption, change and last review', () => {
    const adoptedAt = new Date('2026-01-10T10:00:00Z');
    expect(reviewBase({ adoptedAt })).toEqual(adoptedAt);
    expect(reviewBase({ adoptedAt, changedAt: new Date('2026-02-01T00:00:00Z'), reviewedAt: null })).toEqual(
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(
      reviewBase({
        adoptedAt,
        changedAt: new Date('2026-02-01T00:00:00Z'),
        reviewedAt: new Date('2026-08-03T00:00:00Z'),
      }),
    ).toEqual(new Date('2026-08-03T00:00:00Z'));
  });

  it('falls due on the local date six months on, in calendar months', () => {
    expect(nextReviewOn(new Date('2026-03-02T09:00:00Z'), 6, 'UTC')).toBe('2026-09-02');
    // 31 August + 6 months is the end of February.
    expect(nextReviewOn(new Date('2025-08-31T12:00:00Z'), 6, 'UTC')).toBe('2026-02-28');
    expect(nextReviewOn(new Date('2026-01-15T12:00:00Z'), 1, 'UTC')).toBe('2026-02-15');
  });

  it('uses the CoP’s calendar: late evening in UTC is already the next day in Tokyo', () => {
    const base = new Date('2026-03-02T20:00:00Z'); // 3 March, 05:00 in Tokyo
    expect(nextReviewOn(base, 6, 'UTC')).toBe('2026-09-02');
    expect(nextReviewOn(base, 6, 'Asia/Tokyo')).toBe('2026-09-03');
    expect(nextReviewOn(new Date('2026-03-02T03:00:00Z'), 6, 'America/Los_Angeles')).toBe('2026-09-01');
  });

  it('is due once the local date reaches the due date, not before (across a clock change)', () => {
    // Amsterdam moves to summer time on 29 March 2026.
    expect(isDue('2026-03-29', new Date('2026-03-28T22:59:00Z'), 'Europe/Amsterdam')).toBe(false);
    expect(isDue('2026-03-29', new Date('2026-03-28T23:00:00Z'), 'Europe/Amsterdam')).toBe(true);
    expect(isDue('2026-10-26', new Date('2026-10-25T22:59:00Z'), 'Europe/Amsterdam')).toBe(false);
    expect(isDue('2026-10-26', new Date('2026-10-25T23:00:00Z'), 'Europe/Amsterdam')).toBe(true);
    expect(isDue('2026-09-02', new Date('2026-09-03T00:00:00Z'), 'UTC')).toBe(true);
    expect(localDate(new Date('2026-03-02T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-03-03');
  });

  it('shows a date by its local noon', () => {
    expect(noonOf('2026-09-02', 'UTC')).toEqual(new Date('2026-09-02T12:00:00Z'));
    expect(noonOf('2026-09-02', 'Europe/Amsterdam')).toEqual(new Date('2026-09-02T10:00:00Z'));
  });

  it('uses the meeting’s zone when valid, else UTC', () => {
    expect(calendarZone('Europe/Amsterdam')).toBe('Europe/Amsterdam');
    expect(calendarZone(null)).toBe('UTC');
    expect(calendarZone('Not/AZone')).toBe('UTC');
  });
});

describe('spreading reviews out', () => {
  const due = Array.from({ length: 30 }, (_, i) => ({ normId: 100 + i, dueOn: '2026-09-02', number: i + 1 }));

  it('opens one a day, at most two at once, the longest-due and lowest-numbered first', () => {
    expect(reviewsToOpen(due, { open: 0, openedToday: 0 })).toEqual([100]);
    expect(reviewsToOpen(due, { open: 1, openedToday: 1 })).toEqual([]);
    expect(reviewsToOpen(due, { open: 1, openedToday: 0 })).toEqual([100]);
    expect(reviewsToOpen(due, { open: 2, openedToday: 0 })).toEqual([]);
    const mixed = [
      { normId: 1, dueOn: '2026-09-05', number: 1 },
      { normId: 2, dueOn: '2026-09-01', number: 4 },
      { normId: 3, dueOn: '2026-09-01', number: 2 },
    ];
    expect(reviewsToOpen(mixed, { open: 0, openedToday: 0 }, { maxOpen: 3, perDay: 3 })).toEqual([3, 2, 1]);
    expect(reviewsToOpen(mixed, { open: 1, openedToday: 0 }, { maxOpen: 3, perDay: 3 })).toEqual([3, 2]);
  });

  it('opens nothing when nothing is due', () => {
    expect(reviewsToOpen([], { open: 0, openedToday: 0 })).toEqual([]);
  });
});

describe('participation shares', () => {
  it('never shows a share of fewer than three members', () => {
    expect(turnout(1, 2)).toBeNull();
    expect(turnout(0, 0)).toBeNull();
    expect(turnout(2, 3)).toBeCloseTo(2 / 3);
    expect(turnout(5, 4)).toBe(1);
    expect(percent(2 / 3)).toBe('67%');
  });

  it('averages each month’s decisions, oldest month first, with empty months as null', () => {
    const months = monthlyTurnout(
      [
        { decidedAt: new Date('2026-03-10T00:00:00Z'), voters: 3, members: 4 },
        { decidedAt: new Date('2026-03-20T00:00:00Z'), voters: 2, members: 4 },
        { decidedAt: new Date('2026-01-31T23:59:59Z'), voters: 1, members: 2 },
        { decidedAt: new Date('2025-12-31T23:59:59Z'), voters: 4, members: 4 },
      ],
      new Date('2026-03-25T00:00:00Z'),
      3,
    );
    expect(months).toEqual([
      { month: '2026-01', share: null, decisions: 1 },
      { month: '2026-02', share: null, decisions: 0 },
      { month: '2026-03', share: 0.625, decisions: 2 },
    ]);
  });
});
