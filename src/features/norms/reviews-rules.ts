import { DateTime } from 'luxon';

/** The review rhythm's defaults: how often, how many open at once, how many newly opened a day. */
export const REVIEW_DEFAULTS = { months: 6, maxOpen: 2, perDay: 1 } as const;
export const REVIEW_MONTHS = { min: 1, max: 36 } as const;

/** What the schedule needs of a norm: when it was last decided on (adopted, changed, or reviewed). */
export interface ReviewBase {
  adoptedAt: Date;
  /** The latest change of its text (a revision), if any. */
  changedAt?: Date | null;
  /** When its last review closed, kept or lapsed. */
  reviewedAt?: Date | null;
}

/** The moment the next review counts from: the latest of adoption, change and last review. */
export function reviewBase(b: ReviewBase): Date {
  // Not `instanceof Date`: a Date made in another realm (a worker, a test VM) fails that check.
  const times = [b.adoptedAt, b.changedAt, b.reviewedAt].filter((t): t is Date => t !== null && t !== undefined);
  return new Date(Math.max(...times.map((t) => new Date(t).getTime())));
}

/**
 * The local date (YYYY-MM-DD, in `zone`) a norm falls due for review: `months` after its base,
 * counted in calendar months on the CoP's calendar (31 Aug + 6 months = 28 or 29 Feb).
 */
export function nextReviewOn(base: Date, months: number, zone: string): string {
  return DateTime.fromJSDate(base, { zone }).startOf('day').plus({ months }).toISODate()!;
}

/** The CoP's local date at `now`: a review falls due when this date reaches its due date. */
export function localDate(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}

/** Whether a review due on `dueOn` (a local date) is due at `now`, by the CoP's calendar. */
export function isDue(dueOn: string, now: Date, zone: string): boolean {
  return localDate(now, zone) >= dueOn;
}

/** Noon of a local date in `zone`: the instant a date token shows it by, the same day for most readers. */
export function noonOf(date: string, zone: string): Date {
  return DateTime.fromISO(date, { zone }).set({ hour: 12 }).toJSDate();
}

export interface DueNorm {
  normId: number;
  dueOn: string;
  /** Its number in the charter: ties on the due date go in charter order. */
  number: number;
}

/**
 * Which due norms to open for review now, spreading them out: at most `maxOpen` reviews open at
 * once, and at most `perDay` opened by the schedule per local day. The longest-due go first; the
 * rest wait for a later day. `openedToday` counts reviews the schedule already opened today.
 */
export function reviewsToOpen(
  due: readonly DueNorm[],
  state: { open: number; openedToday: number },
  limits: { maxOpen: number; perDay: number } = REVIEW_DEFAULTS,
): number[] {
  const room = Math.min(limits.maxOpen - state.open, limits.perDay - state.openedToday);
  if (room <= 0) return [];
  return [...due]
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.number - b.number)
    .slice(0, room)
    .map((d) => d.normId);
}

/** A CoP's time zone for its calendar: its meeting's zone when it has one and it is valid, else UTC. */
export function calendarZone(meetingZone: string | null | undefined): string {
  if (meetingZone && DateTime.local().setZone(meetingZone).isValid) return meetingZone;
  return 'UTC';
}
