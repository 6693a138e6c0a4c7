import type { KnownBlock } from '@slack/types';
import { actions, button, context, header, section } from '../../slack/blocks';
import { escapeText, mention, quote } from '../../slack/text';
import type { Proposal, ProposalStatus, Stance } from '../../db/schema';
import { ACTION } from './ids';
import { ruleInWords, ruleOf, supportersNeeded } from './rules';
import { reviewAnnouncement, reviewMessage } from './reviews-views';
import type { ProposalSnapshot } from './service';

/** Slack date formatting: each reader sees the time in their own timezone. */
export function slackDate(at: Date, format = '{date_short_pretty} at {time}'): string {
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${fallback}>`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "A new norm", "A change to norm 2 (Be kind)", "Retiring norm 2 (Be kind)". */
export function kindLine(s: ProposalSnapshot): string {
  const { proposal, norm, normNumber } = s;
  if (proposal.kind === 'new') return 'A new norm';
  const which = `norm ${normNumber ?? ''}`.trim() + (norm ? ` (“${escapeText(norm.title)}”)` : '');
  if (proposal.kind === 'review') return `A review of ${which}: still how we work?`;
  return proposal.kind === 'change' ? `A change to ${which}` : `Retiring ${which}`;
}

export function tallyLine(s: ProposalSnapshot): string {
  const { tally, members, proposal } = s;
  const parts = [
    `:+1: *${tally.supporters}* support`,
    `:-1: *${tally.objectors}* object`,
    `*${tally.participants}* of ${plural(members, 'member')} took part`,
  ].join(' · ');
  if (proposal.status !== 'open') return parts;
  const needed = supportersNeeded(tally, members, ruleOf(proposal));
  const still =
    needed === null
      ? 'It cannot pass while anyone objects.'
      : `${plural(needed, 'more supporter')} needed to adopt it.`;
  return `${parts}\n${still}`;
}

/** Declined before its window ended only when the norm it was about was retired meanwhile. */
function declineReason(p: Proposal): string {
  return p.decided_at && p.decided_at < p.closes_at
    ? 'the norm it was about had been retired meanwhile'
    : 'the rule was not met when voting closed';
}

/**
 * The word a decided proposal's message starts with. Keyed by every status a proposal can end
 * in, so a new one (a withdrawal, say) cannot be shown without its own word.
 */
const OUTCOME_WORD: Record<Exclude<ProposalStatus, 'open'> | 'withdrawn', string> = {
  adopted: 'Adopted',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
  superseded: 'Superseded',
};

export function statusWord(status: ProposalStatus | 'withdrawn'): string {
  return status === 'open' ? 'Proposal' : OUTCOME_WORD[status];
}

function outcomeLine(p: Proposal): string {
  const when = p.decided_at ? ` ${slackDate(p.decided_at)}` : '';
  if (p.status === 'adopted') {
    const what =
      p.kind === 'retire' ? 'the norm is retired' : p.kind === 'change' ? 'the norm is changed' : 'it is now a norm';
    return `:white_check_mark: *Adopted*${when}: ${what}. \`/cop norms\` lists the norms in force.`;
  }
  return `:x: *Declined*${when}: ${declineReason(p)}.`;
}

/**
 * The proposal message in the home channel. While open: what is proposed, the live tally, the
 * rule, and how to vote. Once decided: the outcome first (header, fallback text and first
 * line), then what was proposed and the final tally; the rule and the vote controls go.
 */
export function proposalMessage(s: ProposalSnapshot): { text: string; blocks: KnownBlock[] } {
  if (s.proposal.kind === 'review') return reviewMessage(s);
  const p = s.proposal;
  const open = p.status === 'open';
  const title = `${statusWord(p.status)}: ${p.title}`;
  const text = `${escapeText(title)} (${s.tally.supporters} support, ${s.tally.objectors} object)`;
  const normText = p.kind === 'retire' ? (s.norm?.body ?? p.body) : p.body;
  const blocks: KnownBlock[] = [header(title)];
  if (!open) blocks.push(section(outcomeLine(p)));
  blocks.push(section(`*${kindLine(s)}*, proposed by ${mention(p.proposed_by)}`));
  if (open && p.kind === 'change' && s.norm) {
    blocks.push(section(`*The norm now*\n${quote(escapeText(s.norm.body))}`));
  }
  if (normText.trim()) {
    const label =
      p.kind === 'retire' ? 'The norm to retire' : p.kind === 'change' ? 'Proposed text' : 'The norm’s text';
    blocks.push(section(`*${label}*\n${quote(escapeText(normText))}`));
  }
  if (p.rationale.trim()) blocks.push(section(`*Why it matters*\n${quote(escapeText(p.rationale))}`));
  if (!open) {
    blocks.push(context(`Final tally: ${tallyLine(s)}`));
    return { text, blocks };
  }
  blocks.push(
    section(tallyLine(s)),
    context(
      `${ruleInWords(ruleOf(p))} Voting closes ${slackDate(p.closes_at)}; if the rule is not met by then, it is declined.`,
    ),
    actions(
      `norms:vote:${p.id}`,
      button('Support', ACTION.support, String(p.id), 'primary'),
      button('Object', ACTION.object, String(p.id)),
    ),
    context(
      'You can also react to this message: :+1: supports, :-1: objects. Your latest vote counts; remove your reaction to withdraw it.',
    ),
  );
  return { text, blocks };
}

/** The thread reply, also sent to the channel, that announces an outcome. */
export const announcementParams = (s: ProposalSnapshot) => ({ text: outcomeAnnouncement(s), reply_broadcast: true });

/** The short thread reply that announces an outcome. */
export function outcomeAnnouncement(s: ProposalSnapshot): string {
  if (s.proposal.kind === 'review') return reviewAnnouncement(s);
  const p = s.proposal;
  const title = `“${escapeText(p.title)}”`;
  if (p.status === 'adopted') {
    const what =
      p.kind === 'retire'
        ? 'The norm is retired.'
        : p.kind === 'change'
          ? 'The norm now reads as proposed.'
          : 'It is now one of our norms.';
    return `:white_check_mark: ${title} is adopted, with ${plural(s.tally.supporters, 'supporter')} and ${plural(s.tally.objectors, 'objector')}. ${what}`;
  }
  return `:x: ${title} is declined: ${declineReason(p)} (${plural(s.tally.supporters, 'supporter')}, ${plural(s.tally.objectors, 'objector')}).`;
}

export function objectionReply(reason: string, objectorId: string | undefined): string {
  const who = objectorId ? `${mention(objectorId)} objects` : 'A member objects (shared anonymously)';
  return `:-1: ${who}:\n${quote(escapeText(reason))}`;
}

export function stanceWords(stance: Stance | undefined): string {
  if (stance === 'support') return 'you support it';
  if (stance === 'object') return 'you object';
  return 'you have not voted yet';
}

/** The private answer to a counted vote; `p` is read after the vote settled, so it may be decided. */
export function voteReceipt(stance: Stance, p: Proposal): string {
  const what =
    p.kind === 'review'
      ? stance === 'support'
        ? 'You vote to keep'
        : 'You vote not to keep'
      : stance === 'support'
        ? 'You support'
        : 'You object to';
  if (p.status !== 'open') {
    return `${what} “${escapeText(p.title)}”. Your vote was counted and voting has now closed: it is ${p.status}.`;
  }
  return `${what} “${escapeText(p.title)}”. Your latest vote counts; you can change it until ${slackDate(p.closes_at)}.`;
}

export const NOT_A_MEMBER_VOTE = 'Only members of this CoP can vote. Join its channel to take part.';
export const VOTING_CLOSED =
  'Voting on this proposal has closed, so this vote was not counted. `/cop norms` shows the outcome.';
export const VOTE_FAILED = 'Sorry, your vote could not be recorded just now. Please try again.';
export const PROPOSAL_POST_FAILED = (title: string) =>
  `Sorry, your proposal “${escapeText(title)}” could not be posted to the channel, so nothing was saved. Please try again in a moment.`;
