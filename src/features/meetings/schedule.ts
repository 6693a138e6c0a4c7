import { DateTime, IANAZone } from 'luxon';

/**
 * The time math of a weekly meeting, pure and unit-tested. All wall-clock reasoning happens in
 * the meeting's IANA zone, so a 10:00 meeting stays at 10:00 local across DST changes.
 */
export interface Recurrence {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  /** Local time of day, `HH:mm` (24 h). */
  readonly time: string;
  /** IANA zone the meeting is held in, e.g. `Europe/Amsterdam`. */
  readonly zone: string;
  /** Local dates (`YYYY-MM-DD`, in the meeting's zone) on which the meeting does not happen. */
  readonly skipDates: readonly string[];
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

// Skip dates are finite, so this only bounds a schedule whose next year is all skipped.
const MAX_WEEKS_AHEAD = 106;

// Luxon checks a zone by building an Intl formatter each time: slow enough to matter in a
// 10,000-member fan-out, so answers are remembered (zone names are few).
const zoneValidity = new Map<string, boolean>();
export function isValidZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 1000) zoneValidity.set(zone, valid);
  }
  return valid;
}

export function parseTime(time: string): { hour: number; minute: number } | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time.trim());
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * The instant a local date and time mean in a zone.
 * - A time that does not exist that day (skipped by a spring-forward change, e.g. 02:30 in
 *   New York on the second Sunday of March) moves forward by the gap (03:30), as calendars do.
 * - A time that happens twice (fall back) is the first of the two, so nobody is an hour late.
 */
export function localToInstant(date: string, time: string, zone: string): Date {
  const t = parseTime(time);
  const d = DateTime.fromISO(date, { zone });
  if (!t || !d.isValid) throw new Error(`invalid local date/time ${date} ${time} in ${zone}`);
  const dt = d.set({ hour: t.hour, minute: t.minute, second: 0, millisecond: 0 });
  for (const shift of [60, 30]) {
    const earlier = dt.minus({ minutes: shift });
    if (earlier.hour === t.hour && earlier.minute === t.minute && earlier.toISODate() === dt.toISODate()) {
      return earlier.toJSDate();
    }
  }
  return dt.toJSDate();
}

/** The starts of the next `count` occurrences strictly after `after`, skipped dates left out. */
export function nextOccurrences(rule: Recurrence, after: Date, count = 1): Date[] {
  const skip = new Set(rule.skipDates);
  const result: Date[] = [];
  // Start a day early: in the meeting's zone `after` may still be the previous local day.
  let day = DateTime.fromJSDate(after, { zone: rule.zone }).startOf('day').minus({ days: 1 });
  while (day.weekday !== rule.weekday) day = day.plus({ days: 1 });
  for (let week = 0; week < MAX_WEEKS_AHEAD && result.length < count; week += 1, day = day.plus({ weeks: 1 })) {
    const date = day.toISODate()!;
    if (skip.has(date)) continue;
    const start = localToInstant(date, rule.time, rule.zone);
    if (start.getTime() > after.getTime()) result.push(start);
  }
  return result;
}

export function nextOccurrence(rule: Recurrence, after: Date): Date | undefined {
  return nextOccurrences(rule, after, 1)[0];
}

/** The latest occurrence that started at or before `atOrBefore` (skipped dates left out). */
export function previousOccurrence(rule: Recurrence, atOrBefore: Date): Date | undefined {
  const skip = new Set(rule.skipDates);
  let day = DateTime.fromJSDate(atOrBefore, { zone: rule.zone }).startOf('day').plus({ days: 1 });
  while (day.weekday !== rule.weekday) day = day.minus({ days: 1 });
  for (let week = 0; week < MAX_WEEKS_AHEAD; week += 1, day = day.minus({ weeks: 1 })) {
    const date = day.toISODate()!;
    if (skip.has(date)) continue;
    const start = localToInstant(date, rule.time, rule.zone);
    if (start.getTime() <= atOrBefore.getTime()) return start;
  }
  return undefined;
}

/** When the reminder for an occurrence goes out: `leadMinutes` before it starts. */
export function reminderTime(start: Date, leadMinutes: number): Date {
  return new Date(start.getTime() - leadMinutes * 60_000);
}

/**
 * The occurrence whose reminder is due at `now`: the next one still ahead, once its reminder
 * time has come. A reminder missed while the bot was down is still due until the meeting starts.
 */
export function dueReminder(rule: Recurrence, leadMinutes: number, now: Date): Date | undefined {
  const next = nextOccurrence(rule, now);
  if (!next) return undefined;
  return reminderTime(next, leadMinutes).getTime() <= now.getTime() ? next : undefined;
}

/** Parses `2026-12-24, 2026-12-31` into sorted unique dates; `bad` lists what is not a real date. */
export function parseSkipDates(text: string): { dates: string[]; bad: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const dates = new Set<string>();
  const bad: string[] = [];
  for (const part of parts) {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(part) ? DateTime.fromISO(part, { zone: 'UTC' }) : undefined;
    if (d?.isValid) dates.add(part);
    else bad.push(part);
  }
  return { dates: [...dates].sort(), bad };
}

/** A time as someone in `zone` reads it: `Tuesday 3 March, 10:00`. */
export function formatInZone(instant: Date, zone: string): string {
  // A fan-out formats the same instant for each member; members share a handful of zones.
  const key = `${instant.getTime()}|${zone}`;
  let text = formatted.get(key);
  if (text === undefined) {
    const dt = DateTime.fromJSDate(instant, { zone: isValidZone(zone) ? zone : 'UTC' });
    text = dt.setLocale('en-GB').toFormat('cccc d LLLL, HH:mm');
    if (formatted.size >= 5000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}
const formatted = new Map<string, string>();

/** The weekday name of an instant in a zone, e.g. for "Tuesday's meeting". */
export function weekdayInZone(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone: isValidZone(zone) ? zone : 'UTC' })
    .setLocale('en-GB')
    .toFormat('cccc');
}

/** How a lead reads: `15 minutes`, `1 hour`, `2 days`. */
export function describeLead(minutes: number): string {
  if (minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
