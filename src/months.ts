/** Calendar months in UTC, as `YYYY-MM` keys: how the health picture groups what happened. */

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The first instant of a month and of the one after it. */
export function monthBounds(month: string): { start: Date; end: Date } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return { start: new Date(Date.UTC(year, mon - 1, 1)), end: new Date(Date.UTC(year, mon, 1)) };
}

/** The `count` months ending with the one that holds `last`, oldest first. */
export function monthsEndingWith(last: Date, count: number): string[] {
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    months.push(monthOf(new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - back, 1))));
  }
  return months;
}

/** `March 2026` */
export function monthName(month: string): string {
  return monthBounds(month).start.toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** `Mar 2026` */
export function shortMonthName(month: string): string {
  return monthBounds(month).start.toLocaleString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}
