import { monthName } from '../../months';
import type { HealthMetric } from '../types';
import type { MonthTable } from './figures';

const NOT_ENOUGH = 'not enough answers to show without revealing anyone';

/** The picture's two lines in words, about the last month it covers. */
export function summaryLines(months: readonly string[], table: MonthTable): [string, string] {
  const month = months[months.length - 1]!;
  const f = table.get(month) ?? new Map<HealthMetric, number | null>();
  const name = monthName(month);
  if (f.size === 0) {
    return [
      `${name}: nothing was recorded this month (no meeting held, no decision, no struggle shared, no trust pulse closed).`,
      earlierText(months, table),
    ];
  }
  const meetings = f.has('meetings')
    ? `${plural(f.get('meetings')!, 'meeting')} held, ${f.get('attendance')} people each on average` +
      (f.get('coreGroup') != null ? `, a core group of ${f.get('coreGroup')}` : '')
    : 'no meeting held';
  const votes = f.has('votingShare')
    ? `${f.get('votingShare')}% of members voted on decisions`
    : 'no decision was taken';
  const struggles = f.has('strugglesShared')
    ? `Struggles: ${f.get('strugglesShared')} shared, ${f.get('strugglesAnswered')} answered, ${f.get('strugglesHelpful')} marked helpful.`
    : 'Struggles: none shared.';
  let pulse = 'Trust pulse: none closed this month.';
  if (f.has('pulseStruggles')) {
    pulse =
      f.get('pulseStruggles') == null
        ? `Trust pulse: ${NOT_ENOUGH}.`
        : `Trust pulse: ${f.get('pulseStruggles')}/5 “I can bring my real struggles to this group”, ${f.get('pulseVoice')}/5 “My voice counts in how we work together”.`;
  }
  return [`${name}: ${meetings}; ${votes}.`, `${struggles} ${pulse}`];
}

/** For an empty month: when something was last recorded, if ever in the picture. */
function earlierText(months: readonly string[], table: MonthTable): string {
  const last = [...months].reverse().find((m) => (table.get(m)?.size ?? 0) > 0);
  return last
    ? `The last month with anything recorded is ${monthName(last)}.`
    : 'Nothing was recorded in these months yet.';
}

/** The chart in words, for its alt text: the summary, then each month's figures. */
export function altText(months: readonly string[], table: MonthTable, lines: readonly string[]): string {
  const perMonth = months.map((m) => {
    const f = table.get(m)!;
    if (f.size === 0) return `${monthName(m)}: nothing recorded`;
    const parts: string[] = [];
    if (f.has('meetings')) parts.push(`${plural(f.get('meetings')!, 'meeting')}, ${f.get('attendance')} per meeting`);
    if (f.get('coreGroup') != null) parts.push(`core group ${f.get('coreGroup')}`);
    if (f.has('votingShare')) parts.push(`${f.get('votingShare')}% voted`);
    if (f.has('strugglesShared'))
      parts.push(
        `${f.get('strugglesShared')} struggles shared, ${f.get('strugglesAnswered')} answered, ${f.get('strugglesHelpful')} helpful`,
      );
    if (f.has('pulseStruggles'))
      parts.push(
        f.get('pulseStruggles') == null
          ? `pulse: ${NOT_ENOUGH}`
          : `pulse ${f.get('pulseStruggles')} and ${f.get('pulseVoice')} out of 5`,
      );
    return `${monthName(m)}: ${parts.join(', ')}`;
  });
  const text = `Chart of the CoP's health per month. ${lines.join(' ')} By month: ${perMonth.join('; ')}.`;
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
