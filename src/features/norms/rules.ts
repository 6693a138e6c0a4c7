import type { Proposal, Stance } from '../../db/schema';

/** The vote rule as exact fractions, so "two thirds" is exactly two thirds. */
export interface VoteRule {
  quorumNum: number;
  quorumDen: number;
  approvalNum: number;
  approvalDen: number;
}

export interface Tally {
  supporters: number;
  objectors: number;
  /** Distinct members with a vote that counts (supporters + objectors). */
  participants: number;
}

export type Outcome = 'adopted' | 'declined' | 'open';

/** The rule a proposal snapshotted when it opened. */
export const ruleOf = (p: Pick<Proposal, 'quorum_num' | 'quorum_den' | 'approval_num' | 'approval_den'>): VoteRule => ({
  quorumNum: p.quorum_num,
  quorumDen: p.quorum_den,
  approvalNum: p.approval_num,
  approvalDen: p.approval_den,
});

export const DEFAULT_RULE: VoteRule = { quorumNum: 1, quorumDen: 2, approvalNum: 2, approvalDen: 3 };

/** Tallies the votes that count: only current members' (the caller filters), latest stance each. */
export function tally(stances: readonly (Stance | null)[]): Tally {
  const supporters = stances.filter((s) => s === 'support').length;
  const objectors = stances.filter((s) => s === 'object').length;
  return { supporters, objectors, participants: supporters + objectors };
}

/** Supporters the quorum asks for: ceil(members × quorum), in integers. */
export function quorumSupporters(members: number, rule: VoteRule): number {
  return Math.floor((Math.max(0, members) * rule.quorumNum + rule.quorumDen - 1) / rule.quorumDen);
}

/** Whether the rule is met now: quorum of supporters, share of the votes cast, and someone supports. */
export function isAdopted(t: Tally, members: number, rule: VoteRule): boolean {
  const cast = t.supporters + t.objectors;
  return (
    t.supporters >= 1 &&
    t.supporters >= quorumSupporters(members, rule) &&
    t.supporters * rule.approvalDen >= cast * rule.approvalNum
  );
}

/** The outcome at `now`: adopted as soon as the rule is met, declined once the window has ended without it. */
export function decide(t: Tally, members: number, rule: VoteRule, now: Date, closesAt: Date): Outcome {
  if (isAdopted(t, members, rule)) return 'adopted';
  return now.getTime() >= closesAt.getTime() ? 'declined' : 'open';
}

/**
 * How many more supporters would adopt the proposal if nobody else objected; null when no number
 * of supporters can (the rule asks for every vote and someone objects).
 */
export function supportersNeeded(t: Tally, members: number, rule: VoteRule): number | null {
  const forQuorum = quorumSupporters(members, rule) - t.supporters;
  let forApproval = 0;
  const spare = rule.approvalDen - rule.approvalNum;
  if (spare === 0) {
    if (t.objectors > 0) return null;
  } else {
    // (s + k) × (den − num) ≥ objectors × num
    forApproval = Math.ceil((t.objectors * rule.approvalNum) / spare) - t.supporters;
  }
  return Math.max(0, forQuorum, forApproval, 1 - t.supporters);
}

// ---- Votes -------------------------------------------------------------------

/** Why a vote was not counted. */
export type VoteRefusal = 'closed' | 'not-member' | 'duplicate';

export type VoteVerdict = { kind: 'counted' } | { kind: 'refused'; reason: VoteRefusal };

/** What deciding a vote needs to know, whatever carried it (button, modal or reaction). */
export interface VoteFacts {
  /** The decision voted on: proposals now, and whatever else members vote on the same way. */
  decision: Pick<Proposal, 'status' | 'closes_at'>;
  now: Date;
  /** Whether the voter is a member of the decision's CoP. */
  member: boolean;
  /** False when this delivery's event was already counted (a Slack retry, or another instance). */
  firstDelivery: boolean;
}

/**
 * The one rule every vote goes through: it counts while voting is open, from a member, the first
 * time its event is delivered. The order matters: a closed vote is refused as closed, whoever cast it.
 */
export function judgeVote(f: VoteFacts): VoteVerdict {
  if (f.decision.status !== 'open' || f.now.getTime() >= f.decision.closes_at.getTime()) {
    return { kind: 'refused', reason: 'closed' };
  }
  if (!f.member) return { kind: 'refused', reason: 'not-member' };
  if (!f.firstDelivery) return { kind: 'refused', reason: 'duplicate' };
  return { kind: 'counted' };
}

// ---- Reactions ---------------------------------------------------------------

const SUPPORT = new Set(['+1', 'thumbsup']);
const OBJECT = new Set(['-1', 'thumbsdown']);

/** The stance a reaction name expresses, any skin tone (`+1::skin-tone-3`); undefined for other emoji. */
export function stanceOfReaction(reaction: string): Stance | undefined {
  const base = reaction.replace(/::skin-tone-[2-6]$/, '');
  if (SUPPORT.has(base)) return 'support';
  if (OBJECT.has(base)) return 'object';
  return undefined;
}

// ---- Fractions in words ------------------------------------------------------

/** The shares a coordinator can choose from. */
export const SHARES: readonly { num: number; den: number }[] = [
  { num: 1, den: 3 },
  { num: 1, den: 2 },
  { num: 2, den: 3 },
  { num: 3, den: 4 },
  { num: 1, den: 1 },
];

const WORDS: Record<string, string> = {
  '1/3': 'one third',
  '1/2': 'half',
  '2/3': 'two thirds',
  '3/4': 'three quarters',
  '1/1': 'all',
};

export function shareInWords(num: number, den: number): string {
  return WORDS[`${num}/${den}`] ?? `${num}/${den}`;
}

/** The rule as a sentence, e.g. SPEC's default. */
export function ruleInWords(rule: VoteRule): string {
  const quorum =
    rule.quorumNum === rule.quorumDen
      ? 'every member supports it'
      : `supporters are at least ${shareInWords(rule.quorumNum, rule.quorumDen)} of the members (rounded up)`;
  const approval =
    rule.approvalNum === rule.approvalDen
      ? 'nobody objects'
      : `at least ${shareInWords(rule.approvalNum, rule.approvalDen)} of the votes cast`;
  return `Adopted as soon as ${quorum} and ${rule.approvalNum === rule.approvalDen ? approval : `they are ${approval}`}.`;
}
