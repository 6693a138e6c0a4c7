import { DateTime } from 'luxon';

/** Fewer members than this and a share would point at people: it is not shown. */
export const MIN_AGGREGATE = 3;

export interface DecisionTurnout {
  decidedAt: Date;
  voters: number;
  /** Members the decision's rule counted. */
  members: number;
}

/** The share of members who voted, or null when too few members to show an aggregate. */
export function turnout(voters: number, members: number): number | null {
  if (members < MIN_AGGREGATE) return null;
  return Math.min(1, Math.max(0, voters / members));
}

export interface MonthShare {
  /** `YYYY-MM`, in `zone`. */
  month: string;
  /** Mean share over the month's decisions that can be shown; null when none. */
  share: number | null;
  decisions: number;
}

/**
 * The trend: for each of the last `months` calendar months (the current one included, oldest
 * first), the mean turnout of the decisions made in it.
 */
export function monthlyTurnout(
  decisions: readonly DecisionTurnout[],
  now: Date,
  months: number,
  zone = 'UTC',
): MonthShare[] {
  const current = DateTime.fromJSDate(now, { zone }).startOf('month');
  const result: MonthShare[] = [];
  for (let back = months - 1; back >= 0; back -= 1) {
    const start = current.minus({ months: back });
    const end = start.plus({ months: 1 });
    const inMonth = decisions.filter((d) => d.decidedAt >= start.toJSDate() && d.decidedAt < end.toJSDate());
    const shares = inMonth.map((d) => turnout(d.voters, d.members)).filter((s): s is number => s !== null);
    result.push({
      month: start.toFormat('yyyy-MM'),
      share: shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null,
      decisions: inMonth.length,
    });
  }
  return result;
}

export const percent = (share: number): string => `${Math.round(share * 100)}%`;
