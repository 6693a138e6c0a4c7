/** The trust pulse's rules: what is asked, when results may be shown, which settings are valid. */

export const STATEMENTS = {
  struggles: 'I can bring my real struggles to this group',
  voice: 'My voice counts in how we work together',
} as const;
export type Statement = keyof typeof STATEMENTS;

export const SCORE_LABELS = ['1 · not at all', '2 · rarely', '3 · sometimes', '4 · mostly', '5 · fully'] as const;

/** Never fewer answers than this before results show: fewer would let people guess who said what. */
export const MIN_THRESHOLD = 3;
export const MAX_THRESHOLD = 1000;
/** A pulse is open this long; its results show once it has closed (no watching them move). */
export const PULSE_OPEN_MS = 7 * 24 * 60 * 60_000;
/** Below this many members, the monthly pulse is off unless coordinators turn it on. */
export const MONTHLY_DEFAULT_MIN_MEMBERS = 3;

export const NOT_ENOUGH_ANSWERS = 'Not enough answers to show without revealing anyone.';

export function parseScore(value: string | null | undefined): number | undefined {
  const score = Number(value);
  return Number.isInteger(score) && score >= 1 && score <= 5 ? score : undefined;
}

export function checkThreshold(text: string): { ok: true; threshold: number } | { ok: false; message: string } {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n))
    return { ok: false, message: `Give a whole number of answers, at least ${MIN_THRESHOLD}.` };
  if (n < MIN_THRESHOLD)
    return {
      ok: false,
      message: `The threshold can be raised but never set below ${MIN_THRESHOLD}: fewer answers could reveal who said what.`,
    };
  if (n > MAX_THRESHOLD) return { ok: false, message: `At most ${MAX_THRESHOLD}.` };
  return { ok: true, threshold: n };
}

export function monthlyEnabled(setting: boolean | null | undefined, members: number): boolean {
  return setting ?? members >= MONTHLY_DEFAULT_MIN_MEMBERS;
}

export interface Tally {
  readonly struggles: readonly number[];
  readonly voice: readonly number[];
}

export const answersIn = (tally: Tally): number => tally.struggles.reduce((n, c) => n + c, 0);

/** The average score (1..5) of counts indexed by score - 1; undefined with no answer. */
export function average(counts: readonly number[]): number | undefined {
  const total = counts.reduce((n, c) => n + c, 0);
  if (total === 0) return undefined;
  const sum = counts.reduce((n, c, i) => n + c * (i + 1), 0);
  return Math.round((sum / total) * 10) / 10;
}

export type PulseResult =
  { shown: true; answers: number; struggles: number; voice: number } | { shown: false; reason: 'open' | 'too_few' };

/** What may be shown of a pulse: nothing while open, nothing below its threshold. */
export function pulseResult(tally: Tally, threshold: number, closesAt: Date, now: Date): PulseResult {
  if (now.getTime() < closesAt.getTime()) return { shown: false, reason: 'open' };
  const answers = answersIn(tally);
  if (answers < Math.max(threshold, MIN_THRESHOLD)) return { shown: false, reason: 'too_few' };
  return { shown: true, answers, struggles: average(tally.struggles)!, voice: average(tally.voice)! };
}

/** Several pulses' tallies added up (a month with two pulses). */
export function addTallies(tallies: readonly Tally[]): Tally {
  const sum = (pick: (t: Tally) => readonly number[]) =>
    [0, 1, 2, 3, 4].map((i) => tallies.reduce((n, t) => n + (pick(t)[i] ?? 0), 0));
  return { struggles: sum((t) => t.struggles), voice: sum((t) => t.voice) };
}
