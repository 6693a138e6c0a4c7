import { z } from 'zod';
import type { Meeting } from '../../db/schema';
import {
  isValidZone,
  nextOccurrence,
  parseSkipDates,
  parseTime,
  previousOccurrence,
  type Recurrence,
} from './schedule';

export const TOPIC_MAX = 300;

/** When a reminder may go out, before the meeting: the choices the schedule form offers. */
export const LEAD_CHOICES: ReadonlyArray<{ minutes: number; label: string }> = [
  { minutes: 15, label: '15 minutes before' },
  { minutes: 30, label: '30 minutes before' },
  { minutes: 60, label: '1 hour before' },
  { minutes: 120, label: '2 hours before' },
  { minutes: 1440, label: '1 day before' },
  { minutes: 2880, label: '2 days before' },
];

/** A meeting's schedule, as validated from the form. */
export interface MeetingInput {
  weekday: number;
  localTime: string;
  timeZone: string;
  lengthMinutes: number;
  location: string;
  leadMinutes: number;
  skipDates: string[];
}

/** The raw values of the schedule modal, as Slack sends them (anything may be missing). */
export interface ScheduleForm {
  weekday?: string | null;
  time?: string | null;
  zone?: string | null;
  length?: string | null;
  location?: string | null;
  lead?: string | null;
  skip?: string | null;
}

const form = z.object({
  weekday: z.coerce.number().int().min(1).max(7),
  time: z.string().refine((t) => parseTime(t) !== undefined),
  zone: z.string().trim().refine(isValidZone),
  length: z.coerce.number().int().min(5).max(480),
  // Optional: many CoPs meet in the same room or link every week and need not say so.
  location: z.string().trim().max(300).nullish(),
  lead: z.coerce.number().refine((m) => LEAD_CHOICES.some((c) => c.minutes === m)),
  skip: z.string().nullish(),
});

const MESSAGES: Record<keyof ScheduleForm, string> = {
  weekday: 'Pick a day of the week.',
  time: 'Pick a time.',
  zone: 'Give an IANA time zone name, like Europe/Amsterdam or America/New_York.',
  length: 'Give the length in whole minutes, from 5 to 480.',
  location: 'Keep “where” to 300 characters: a link or a room.',
  lead: 'Pick when to remind members.',
  skip: 'Give dates as YYYY-MM-DD, separated by commas.',
};

/** Validates the schedule modal; errors are keyed by block id, as Slack's modal errors want. */
export function parseScheduleForm(
  values: ScheduleForm,
): { ok: true; input: MeetingInput } | { ok: false; errors: Record<string, string> } {
  const parsed = form.safeParse({ ...values, length: values.length ?? undefined });
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]) as keyof ScheduleForm;
      if (key in MESSAGES) errors[key] = MESSAGES[key];
    }
  }
  const skip = parseSkipDates(values.skip ?? '');
  if (skip.bad.length)
    errors.skip = `Not a date: ${skip.bad.slice(0, 5).join(', ')}. Use YYYY-MM-DD, separated by commas.`;
  else if (skip.dates.length > 60) errors.skip = 'At most 60 skip dates.';
  if (!parsed.success || Object.keys(errors).length) return { ok: false, errors };
  const t = parseTime(parsed.data.time)!;
  return {
    ok: true,
    input: {
      weekday: parsed.data.weekday,
      localTime: `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`,
      timeZone: canonicalZone(parsed.data.zone),
      lengthMinutes: parsed.data.length,
      location: parsed.data.location ?? '',
      leadMinutes: parsed.data.lead,
      skipDates: skip.dates,
    },
  };
}

/**
 * A zone as typed, in its canonical spelling (`europe/amsterdam` → `Europe/Amsterdam`), so it
 * reads right and matches members' zones. Only the case changes: aliases stay as given.
 */
export function canonicalZone(zone: string): string {
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    return zone;
  }
}

/** `/cop topic` text: what to store, or why not. */
export function checkTopic(text: string): { ok: true; text: string } | { ok: false; reason: 'empty' | 'too_long' } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: 'empty' };
  if (trimmed.length > TOPIC_MAX) return { ok: false, reason: 'too_long' };
  return { ok: true, text: trimmed };
}

export function ruleOf(meeting: Meeting): Recurrence {
  return {
    weekday: meeting.weekday,
    time: meeting.local_time,
    zone: meeting.time_zone,
    skipDates: meeting.skip_dates ? meeting.skip_dates.split(',') : [],
  };
}

/** The meeting people mean by "the next meeting" at `now`: one in progress, else the next one. */
export function upcomingStart(meeting: Meeting, now: Date): { startsAt: Date; inProgress: boolean } | undefined {
  const rule = ruleOf(meeting);
  const previous = previousOccurrence(rule, now);
  if (previous && previous.getTime() + meeting.length_minutes * 60_000 > now.getTime()) {
    return { startsAt: previous, inProgress: true };
  }
  const next = nextOccurrence(rule, now);
  return next ? { startsAt: next, inProgress: false } : undefined;
}

export const endOf = (meeting: Meeting, startsAt: Date): Date =>
  new Date(startsAt.getTime() + meeting.length_minutes * 60_000);

/** Consecutive attended meetings, newest first, over meetings whose attendance was recorded. */
export function streakOf(history: boolean[]): number {
  let streak = 0;
  for (const attended of history) {
    if (!attended) break;
    streak += 1;
  }
  return streak;
}
