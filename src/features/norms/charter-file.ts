import type { Cop, Norm } from '../../db/schema';
import type { NormHistory } from './history';
import { historyMarkdown } from './history-views';
import type { ScheduledNorm } from './reviews';

/**
 * The charter as a Markdown file a team can keep in its wiki: the adopted norms, numbered, each
 * with its next review and its history (tallies, never names), then the retired norms.
 */
export function charterMarkdown(
  cop: Cop,
  channelName: string,
  scheduled: ScheduledNorm[],
  histories: NormHistory[],
  now: Date,
): string {
  const historyOf = (norm: Norm) => histories.find((h) => h.norm.id === norm.id) ?? { norm, steps: [] };
  const lines = [
    `# Charter of the CoP in #${channelName}`,
    '',
    `The norms its members agreed on, as of ${now.toISOString().slice(0, 10)} (dates in UTC).`,
    `Each norm comes up for review every ${cop.review_months === 1 ? 'month' : `${cop.review_months} months`} after its adoption or last review.`,
    '',
  ];
  if (scheduled.length === 0) lines.push('_No norms adopted yet._', '');
  for (const s of scheduled) {
    lines.push(historyMarkdown(historyOf(s.norm), `${s.number}. ${s.norm.title}`, s.dueOn), '');
  }
  const retired = histories.filter((h) => h.norm.status === 'retired');
  if (retired.length) {
    lines.push('# Retired norms', '');
    for (const h of retired) lines.push(historyMarkdown(h, h.norm.title), '');
  }
  return lines.join('\n');
}

/** A file name for the charter: `charter-<channel>-<date>.md`. */
export function charterFileName(channelName: string, now: Date): string {
  const safe = channelName.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'cop';
  return `charter-${safe}-${now.toISOString().slice(0, 10)}.md`;
}
