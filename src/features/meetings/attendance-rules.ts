import { DateTime } from 'luxon';
import type { Meeting } from '../../db/schema';

/** "I was there" is taken from the meeting's start until a day after its end. */
export const ATTENDED_WINDOW_MS = 24 * 60 * 60_000;

export type AttendedWindow = 'not_started' | 'open' | 'closed';

export function attendedWindow(startsAt: Date, endsAt: Date, now: Date): AttendedWindow {
  if (now.getTime() < startsAt.getTime()) return 'not_started';
  if (now.getTime() > endsAt.getTime() + ATTENDED_WINDOW_MS) return 'closed';
  return 'open';
}

/** Whether an occurrence's local date is one the coordinators skipped (it was no meeting). */
export function isSkipped(meeting: Pick<Meeting, 'skip_dates' | 'time_zone'>, startsAt: Date): boolean {
  if (!meeting.skip_dates) return false;
  const local = DateTime.fromJSDate(startsAt, { zone: meeting.time_zone }).toISODate();
  return meeting.skip_dates.split(',').includes(local ?? '');
}

export const CORE_MEETINGS = 4;
export const CORE_MIN_ATTENDED = 3;

/**
 * The core group: members who came to at least 3 of the last 4 meetings (newest first in
 * `meetings`, each the set of who came). Undefined while fewer than 3 meetings were held:
 * nobody could be in it yet, and a zero would read as measured.
 */
export function coreGroup(meetings: ReadonlyArray<ReadonlySet<string>>): Set<string> | undefined {
  const last = meetings.slice(0, CORE_MEETINGS);
  if (last.length < CORE_MIN_ATTENDED) return undefined;
  const counts = new Map<string, number>();
  for (const attendees of last) for (const user of attendees) counts.set(user, (counts.get(user) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n >= CORE_MIN_ATTENDED).map(([user]) => user));
}
