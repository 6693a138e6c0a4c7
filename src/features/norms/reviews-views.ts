import type { KnownBlock } from '@slack/types';
import type { Norm, Proposal } from '../../db/schema';
import { actions, button, context, header, section } from '../../slack/blocks';
import { escapeText, mention, quote } from '../../slack/text';
import { ACTION } from './ids';
import { ruleInWords, ruleOf, supportersNeeded } from './rules';
import type { ProposalSnapshot } from './service';
import { plural, slackDate } from './views';

/** "norm 2 (“Be kind”)", or the title alone once the norm has no number (retired). */
function whichNorm(s: ProposalSnapshot): string {
  const title = escapeText(s.norm?.title ?? s.proposal.title);
  return s.normNumber ? `norm ${s.normNumber} (“${title}”)` : `“${title}”`;
}

function keepTally(s: ProposalSnapshot): string {
  const { tally, members, proposal } = s;
  const line = [
    `:+1: *${tally.supporters}* keep`,
    `:-1: *${tally.objectors}* do not keep`,
    `*${tally.participants}* of ${plural(members, 'member')} took part`,
  ].join(' · ');
  if (proposal.status !== 'open') return line;
  const needed = supportersNeeded(tally, members, ruleOf(proposal));
  const still =
    needed === null ? 'It cannot be kept while anyone objects.' : `${plural(needed, 'more vote')} to keep it needed.`;
  return `${line}\n${still}`;
}

/** "reaffirmed on <date> by 3 of 4 members". */
export function reaffirmedWords(norm: Pick<Norm, 'reaffirmed_at' | 'reaffirmed_supporters' | 'reaffirmed_members'>) {
  if (!norm.reaffirmed_at) return '';
  return `reaffirmed on ${slackDate(norm.reaffirmed_at, '{date_long}')} by ${norm.reaffirmed_supporters ?? 0} of ${plural(norm.reaffirmed_members ?? 0, 'member')}`;
}

function outcome(s: ProposalSnapshot): string {
  const p = s.proposal;
  const when = p.decided_at ? slackDate(p.decided_at) : '';
  if (p.status === 'adopted') {
    return `:white_check_mark: *Kept* ${when}: the norm is ${s.norm ? reaffirmedWords(s.norm) : 'reaffirmed'}.`;
  }
  if (p.status === 'superseded') {
    return `:arrows_counterclockwise: *Superseded* ${when}: the norm was changed or retired while this review was open, so this review is closed.`;
  }
  return `:hourglass: *Review lapsed* ${when}: it was not kept in time. The norm stays, marked “review lapsed”; the coordinators were told.`;
}

const whoOpened = (p: Proposal) =>
  p.proposed_by ? `${mention(p.proposed_by)} brought it up for review.` : 'It is due for its regular review.';

/** The review message in the home channel: "Still how we work?", live while open. */
export function reviewMessage(s: ProposalSnapshot): { text: string; blocks: KnownBlock[] } {
  const p = s.proposal;
  const open = p.status === 'open';
  const text = `Still how we work? A review of ${whichNorm(s)} (${s.tally.supporters} keep, ${s.tally.objectors} do not keep)`;
  const blocks: KnownBlock[] = [
    header(
      open
        ? 'Still how we work? A review'
        : `Review: ${p.status === 'adopted' ? 'kept' : p.status === 'superseded' ? 'superseded' : 'lapsed'}`,
    ),
    section(
      `*${s.normNumber ? `Norm ${s.normNumber}: ` : ''}${escapeText(s.norm?.title ?? p.title)}*\n${quote(escapeText(p.body))}`,
    ),
    context(whoOpened(p)),
    section(keepTally(s)),
  ];
  if (!open) {
    blocks.push(section(outcome(s)));
    return { text, blocks };
  }
  const normId = String(p.norm_id);
  blocks.push(
    context(
      `${ruleInWords(ruleOf(p)).replace('Adopted', 'Kept')} Voting closes ${slackDate(p.closes_at)}; if it is not kept by then, the norm stays but is marked “review lapsed”.`,
    ),
    actions(
      `norms:review:${p.id}`,
      button('Keep it', ACTION.support, String(p.id), 'primary'),
      button('Do not keep it', ACTION.object, String(p.id)),
      button('Propose a change', ACTION.reviewChange, normId),
      button('Propose retiring it', ACTION.reviewRetire, normId),
    ),
    context(
      'You can also react to this message: :+1: keeps it, :-1: does not. Your latest vote counts; remove your reaction to withdraw it.',
    ),
  );
  return { text, blocks };
}

/** The thread reply when a review closes. */
export function reviewAnnouncement(s: ProposalSnapshot): string {
  const p = s.proposal;
  const title = `“${escapeText(s.norm?.title ?? p.title)}”`;
  if (p.status === 'adopted')
    return `:white_check_mark: ${title} is kept: ${s.norm ? reaffirmedWords(s.norm) : 'reaffirmed'}.`;
  if (p.status === 'superseded')
    return `:arrows_counterclockwise: The review of ${title} is closed: the norm was changed or retired meanwhile.`;
  return `:hourglass: The review of ${title} lapsed (${plural(s.tally.supporters, 'vote')} to keep it, ${plural(s.tally.objectors, 'vote')} not to). The norm stays, marked “review lapsed”.`;
}
