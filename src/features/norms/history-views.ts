import type { KnownBlock } from '@slack/types';
import { LIMITS, capBlocks, context, header, section } from '../../slack/blocks';
import { escapeText, quote } from '../../slack/text';
import type { HistoryStep, NormHistory } from './history';
import { proposalLink, type ProposalLinks } from './overview';
import { reaffirmedWords } from './reviews-views';
import { plural, slackDate } from './views';

const KIND_WORDS = { new: 'a new norm', change: 'a change', retire: 'retiring it', review: 'a review' } as const;

/** How a step was decided, in numbers only: who voted how is never shown. */
export function tallyWords(step: Pick<HistoryStep, 'supporters' | 'objectors' | 'members'>): string {
  const of = step.members === null ? '' : `, of ${plural(step.members, 'member')}`;
  return `${step.supporters} for, ${step.objectors} against${of}`;
}

/** The headline of a step; `when` formats its date (a Slack date token, or a plain date in a file). */
export function stepHeadline(step: HistoryStep, when: (at: Date) => string): string {
  const at = when(step.at);
  switch (step.what) {
    case 'adopted':
      return `Adopted ${at} (${tallyWords(step)})`;
    case 'changed':
      return `Changed ${at} (${tallyWords(step)})`;
    case 'retired':
      return `Retired ${at} (${tallyWords(step)})`;
    case 'reaffirmed':
      return `Reaffirmed ${at} by ${step.supporters} of ${plural(step.members ?? 0, 'member')} (${step.objectors} against)`;
    case 'lapsed':
      return `Review lapsed ${at}: not kept in time (${tallyWords(step)})`;
    case 'declined':
      return `Proposed ${KIND_WORDS[step.kind]}, declined ${at} (${tallyWords(step)})`;
    case 'superseded':
      return `A review closed ${at}, superseded: the norm changed or was retired meanwhile`;
    case 'open':
      return `Open now: ${KIND_WORDS[step.kind]}, since ${at} (${tallyWords(step)} so far)`;
  }
}

const dateToken = (at: Date) => slackDate(at, '{date_long}');

function versionNumbers(history: NormHistory): Map<HistoryStep, number> {
  const numbers = new Map<HistoryStep, number>();
  for (const step of history.steps) if (step.text) numbers.set(step, numbers.size + 1);
  return numbers;
}

/** `/cop norm <number>` and the History button: every version and decision, tallies not names. */
export function historyReply(
  history: NormHistory,
  number?: number,
  links: ProposalLinks = new Map(),
): { text: string; blocks: KnownBlock[] } {
  const { norm } = history;
  const name = `${number ? `Norm ${number}: ` : ''}${norm.title}`;
  const status =
    norm.status === 'retired'
      ? `Retired${norm.retired_at ? ` on ${dateToken(norm.retired_at)}` : ''}.`
      : norm.review_lapsed_at && (!norm.reaffirmed_at || norm.review_lapsed_at > norm.reaffirmed_at)
        ? `In force; its last review lapsed on ${dateToken(norm.review_lapsed_at)}.`
        : norm.reaffirmed_at
          ? `In force, ${reaffirmedWords(norm)}.`
          : 'In force.';
  const versions = versionNumbers(history);
  const blocks: KnownBlock[] = [
    header(`History of ${name}`),
    section(`*${status}* It reads:\n${quote(escapeText(norm.body))}`),
    context('Every version and decision, oldest first. Tallies only: who voted how is not shown.'),
  ];
  for (const step of history.steps) {
    const version = versions.get(step);
    const lines = [`*${stepHeadline(step, dateToken)}*${version ? ` · version ${version}` : ''}`];
    if (step.text) lines.push(quote(escapeText(`${step.text.title}: ${step.text.body}`)));
    lines.push(`Proposal: ${proposalLink(step.proposal, links.get(step.proposal.id))}`);
    blocks.push(section(lines.join('\n')));
  }
  return {
    text: `History of ${escapeText(name)}: ${plural(history.steps.length, 'decision')}`,
    blocks: capBlocks(blocks, LIMITS.blocksPerMessage),
  };
}

const isoDate = (at: Date) => at.toISOString().slice(0, 10);
const mdQuote = (text: string) =>
  text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');

/** One norm's section of the charter file, in Markdown (dates in UTC). */
export function historyMarkdown(history: NormHistory, heading: string, nextReview?: string): string {
  const lines = [`## ${heading}`, '', mdQuote(history.norm.body), ''];
  if (nextReview) lines.push(`Next review: ${nextReview}`, '');
  lines.push('History:', '');
  const versions = versionNumbers(history);
  for (const step of history.steps) {
    const version = versions.get(step);
    lines.push(`- ${stepHeadline(step, isoDate)}${version ? ` (version ${version})` : ''}`);
    if (step.text) lines.push(`  ${step.text.title}: ${step.text.body.replace(/\n/g, ' ')}`);
  }
  return lines.join('\n');
}
