import type { KnownBlock } from '@slack/types';
import type { Cop, Proposal, Stance } from '../../db/schema';
import {
  LIMITS,
  actions,
  button,
  capBlocks,
  context,
  divider,
  header,
  homeTitle,
  section,
  sectionsOf,
} from '../../slack/blocks';
import { channelLink, escapeText, quote, truncate } from '../../slack/text';
import { ACTION } from './ids';
import { ruleInWords } from './rules';
import type { NumberedNorm, ProposalSnapshot } from './service';
import { kindLine, plural, slackDate, stanceWords, tallyLine } from './views';

const copRule = (cop: Cop) => ({
  quorumNum: cop.quorum_num,
  quorumDen: cop.quorum_den,
  approvalNum: cop.approval_num,
  approvalDen: cop.approval_den,
});

export function ruleText(cop: Cop): string {
  const days = Math.round(cop.window_hours / 24);
  return `${ruleInWords(copRule(cop))} Voting stays open ${days === 1 ? '1 day' : `${days} days`}.`;
}

/** Permalinks of proposal messages (chat.getPermalink), by proposal id. */
export type ProposalLinks = ReadonlyMap<number, string>;

/** The proposal's title, linked to its message when Slack gave its permalink. */
export const proposalLink = (p: Proposal, permalink: string | undefined): string =>
  permalink ? `<${permalink}|${escapeText(p.title)}>` : escapeText(p.title);

const moreNorms = (left: number) => `…and ${plural(left, 'more norm')}: \`/cop norms\` lists them all.`;

/** The norms in full, packed into sections (a CoP may have many: a message holds 50 blocks). */
function normBlocks(norms: NumberedNorm[]): KnownBlock[] {
  if (norms.length === 0) return [section('_No norms adopted yet._')];
  const lines = norms.map((n) => `*${n.number}. ${escapeText(n.norm.title)}*\n${quote(escapeText(n.norm.body))}`);
  return sectionsOf(lines, 20, (left) => `…and ${plural(left, 'more norm')} not shown here.`);
}

/** At most this many norms get a section of their own, with their next review and a History button. */
const NORMS_WITH_HISTORY = 20;

/** Each norm with its standing and next review (by norm id) and a History button. */
function scheduledNormBlocks(norms: NumberedNorm[], reviewLines: ReadonlyMap<number, string>): KnownBlock[] {
  if (norms.length === 0) return [section('_No norms adopted yet._')];
  const blocks: KnownBlock[] = norms.slice(0, NORMS_WITH_HISTORY).map((n) => {
    const line = reviewLines.get(n.norm.id);
    const text = `*${n.number}. ${escapeText(n.norm.title)}*\n${quote(escapeText(n.norm.body))}${line ? `\n${line}` : ''}`;
    return section(text, button('History', ACTION.history, String(n.norm.id)));
  });
  const left = norms.length - NORMS_WITH_HISTORY;
  if (left > 0)
    blocks.push(
      context(`…and ${plural(left, 'more norm')}: \`/cop norm <number>\` shows any of them, \`/cop charter\` all.`),
    );
  return blocks;
}

/** Support / Object, or for a review, Keep it / Do not keep it: the same votes, in the question's words. */
function voteButtons(p: Proposal) {
  const [yes, no] = p.kind === 'review' ? ['Keep it', 'Do not keep it'] : ['Support', 'Object'];
  return [button(yes, ACTION.support, String(p.id), 'primary'), button(no, ACTION.object, String(p.id))];
}

/** The review rhythm in words. */
export function rhythmText(cop: Cop): string {
  const every = cop.review_months === 1 ? 'every month' : `every ${cop.review_months} months`;
  return `Each norm comes up for review ${every} after its adoption or last review (\`/cop review <number>\` brings one up now).`;
}

function proposalSummary(s: ProposalSnapshot, links: ProposalLinks): string {
  return `*${proposalLink(s.proposal, links.get(s.proposal.id))}*: ${kindLine(s).toLowerCase()}\n${tallyLine(s)}\nCloses ${slackDate(s.proposal.closes_at)}.`;
}

/** `/cop norms`: the adopted norms numbered, open proposals, the rule, and what one can do. */
export function normsReply(
  cop: Cop,
  norms: NumberedNorm[],
  open: ProposalSnapshot[],
  coordinator: boolean,
  links: ProposalLinks = new Map(),
  reviewLines?: ReadonlyMap<number, string>,
): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    header('Adopted norms'),
    // Named, since /cop norms also answers outside the home channel.
    context(`The norms of the CoP in ${channelLink(cop.channel_id)}, agreed by its members.`),
    ...(reviewLines ? scheduledNormBlocks(norms, reviewLines) : normBlocks(norms)),
    header('Open proposals'),
  ];
  if (open.length === 0) blocks.push(section('_No proposals open right now._'));
  blocks.push(
    ...sectionsOf(
      open.map((s) => `${proposalSummary(s, links)}\n`),
      20,
      (left) => `…and ${plural(left, 'more open proposal')} not shown here.`,
    ),
  );
  blocks.push(context(`*The rule in force:* ${ruleText(cop)} ${rhythmText(cop)}`));
  const buttons = [button('Propose a norm', ACTION.proposeOpen, String(cop.id), 'primary')];
  if (coordinator) {
    buttons.push(button('Change the voting rule', ACTION.ruleOpen, String(cop.id)));
    buttons.push(button('Change the review rhythm', ACTION.rhythmOpen, String(cop.id)));
  }
  blocks.push(actions('norms:overview', ...buttons));
  const text = `${norms.length} adopted norm${norms.length === 1 ? '' : 's'} and ${open.length} open proposal${open.length === 1 ? '' : 's'}`;
  return { text, blocks: capBlocks(blocks, LIMITS.blocksPerMessage) };
}

/** At most this many open proposals with vote buttons in the Home; `/cop norms` lists them all. */
export const HOME_PROPOSALS = 8;

/**
 * The App Home part: open proposals with the viewer's vote and buttons to vote (the channel
 * message's own action ids: the vote handler takes clicks from the Home), a button to propose,
 * and the adopted norms.
 */
export function homeBlocks(
  copId: number,
  norms: NumberedNorm[],
  open: ProposalSnapshot[],
  stances: Map<number, Stance>,
  links: ProposalLinks = new Map(),
): KnownBlock[] {
  const blocks: KnownBlock[] = [homeTitle(':ballot_box_with_ballot:', 'Open proposals')];
  if (open.length === 0) blocks.push(section('No proposals open right now. Propose how we could work together.'));
  const soonest = [...open].sort((a, b) => a.proposal.closes_at.getTime() - b.proposal.closes_at.getTime());
  for (const s of soonest.slice(0, HOME_PROPOSALS)) {
    const id = s.proposal.id;
    blocks.push(
      section(`${proposalSummary(s, links)}\n_Your vote: ${stanceWords(stances.get(id))}._`),
      actions(`norms:home:${id}`, ...voteButtons(s.proposal)),
    );
  }
  if (open.length > HOME_PROPOSALS) {
    blocks.push(
      context(`…and ${plural(open.length - HOME_PROPOSALS, 'more open proposal')}: \`/cop norms\` lists them all.`),
    );
  }
  blocks.push(actions(`norms:home-propose:${copId}`, button('Propose a norm', ACTION.proposeOpen, String(copId))));
  blocks.push(divider(), homeTitle(':scroll:', 'Our norms'));
  if (norms.length === 0) blocks.push(section('No norms adopted yet: the first proposal adopted becomes norm 1.'));
  const lines = norms.map((n) =>
    truncate(`*${n.number}.* ${escapeText(n.norm.title)}: ${escapeText(n.norm.body)}`, 400),
  );
  blocks.push(...sectionsOf(lines, 3, moreNorms));
  return blocks;
}

/** The coordinators' part: the voting rule in force, with the button to change it. */
export function homeCoordinatorBlocks(cop: Cop): KnownBlock[] {
  return [
    section(`*Voting rule:* ${ruleText(cop)}`, button('Change the voting rule', ACTION.ruleOpen, String(cop.id))),
  ];
}

/** The welcome DM for a newcomer to the home channel. */
export function welcomeDm(cop: Cop, norms: NumberedNorm[]): { text: string; blocks: KnownBlock[] } {
  const intro =
    `:wave: Welcome! ${channelLink(cop.channel_id)} is a Community of Practice: people who share a practice and learn from each other. ` +
    'Being in the channel makes you a member, with a vote on how we work together.';
  const normsBlocks = norms.length
    ? [section('*Our norms*, agreed by the members:'), ...normBlocks(norms)]
    : [section('_No norms adopted yet._ You can propose the first one with `/cop propose`.')];
  return {
    text: `Welcome to the Community of Practice in ${channelLink(cop.channel_id)}`,
    blocks: capBlocks(
      [
        section(intro),
        ...normsBlocks,
        section(
          '*How we decide*: a proposal is posted in the channel, and you vote on it there: react :+1: to support ' +
            'or :-1: to object, or use its *Support* and *Object* buttons (an objection can carry a reason). ' +
            'Your latest vote counts.',
        ),
        context('`/cop norms` shows the norms and open proposals; `/cop help` shows everything.'),
      ],
      LIMITS.blocksPerMessage,
    ),
  };
}

/** The private nudge to a member who has not voted on a proposal closing within a day. */
export function nudgeDm(p: Proposal, permalink?: string): { text: string; blocks: KnownBlock[] } {
  const what = p.kind === 'review' ? `the review of norm “${escapeText(p.title)}”` : `“${escapeText(p.title)}”`;
  const text = `Your voice counts: ${what} in ${channelLink(p.channel_id)} closes ${slackDate(p.closes_at)} and you have not voted yet.`;
  return {
    text,
    blocks: [
      section(`:ballot_box_with_ballot: ${text}`),
      section(`Read it here: ${proposalLink(p, permalink)}. Vote with :+1: / :-1: on the message, or here:`),
      actions(`norms:nudge:${p.id}`, ...voteButtons(p)),
      context('Only you got this reminder; nobody sees who has or has not voted.'),
    ],
  };
}
