import type { KnownBlock } from '@slack/types';
import type { Cop } from '../../db/schema';
import { LIMITS, capBlocks, context, header, section } from '../../slack/blocks';
import { channelLink, escapeText, quote } from '../../slack/text';
import type { ScheduledNorm } from './reviews';
import { reaffirmedWords } from './reviews-views';
import { slackDate } from './views';

const date = (at: Date) => slackDate(at, '{date_long}');
const SECOND = 1000;

/** Its last decision: adoption, a change (adopted in its current form), or a reaffirmation. */
export function standingWords(s: Pick<ScheduledNorm, 'norm'>): string {
  const { norm } = s;
  const changed =
    norm.changed_at && norm.changed_at.getTime() - norm.adopted_at.getTime() > SECOND ? norm.changed_at : null;
  if (norm.reaffirmed_at && (!changed || norm.reaffirmed_at > changed)) return reaffirmedWords(norm);
  return changed ? `changed on ${date(changed)}` : `adopted on ${date(norm.adopted_at)}`;
}

/** Whether its last review lapsed (and nothing was decided on it since). */
export function isLapsed(s: Pick<ScheduledNorm, 'norm'>): boolean {
  const { norm } = s;
  if (!norm.review_lapsed_at) return false;
  const later = [norm.reaffirmed_at, norm.changed_at].some((t) => t && t > norm.review_lapsed_at!);
  return !later;
}

/** The line under each norm, in the charter and `/cop norms`: its standing and its next review. */
export function reviewLine(s: ScheduledNorm): string {
  const parts = [`_${standingWords(s)[0]!.toUpperCase()}${standingWords(s).slice(1)}_`];
  if (isLapsed(s)) parts.push(':hourglass: *review lapsed*');
  parts.push(s.review ? ':ballot_box_with_ballot: *under review now*' : `next review ${date(s.nextReviewAt)}`);
  return parts.join(' · ');
}

/** The pinned charter: the adopted norms, numbered, each with its standing and next review. */
export function charterMessage(cop: Cop, norms: ScheduledNorm[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    header('Our charter'),
    context(
      `The norms of the CoP in ${channelLink(cop.channel_id)}, agreed by its members. The bot keeps this message current; each norm comes up for review every ${cop.review_months === 1 ? 'month' : `${cop.review_months} months`}.`,
    ),
  ];
  if (norms.length === 0) blocks.push(section('_No norms adopted yet._ Propose one with `/cop propose`.'));
  for (const s of norms) {
    blocks.push(
      section(`*${s.number}. ${escapeText(s.norm.title)}*\n${quote(escapeText(s.norm.body))}\n${reviewLine(s)}`),
    );
  }
  blocks.push(
    context(
      '`/cop norm <number>`: a norm’s history · `/cop charter`: this charter as a file · `/cop review <number>`: bring a norm up for review',
    ),
  );
  return {
    text: `Our charter: ${norms.length} adopted norm${norms.length === 1 ? '' : 's'}`,
    blocks: capBlocks(blocks, LIMITS.blocksPerMessage),
  };
}
