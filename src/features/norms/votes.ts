import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import type { Proposal, Stance } from '../../db/schema';
import type { AppLogger } from '../../logger';
import { VoteBatcher, type Vote, type VoteResult } from './vote-batches';
import { judgeVote, stanceOfReaction, type VoteVerdict } from './rules';
import * as votesRepo from './votes-repository';

export type { Vote, VoteResult } from './vote-batches';

/**
 * Asks Slack whether a user is in a CoP's home channel now, and if so records them as a member:
 * for a vote that arrives before the voter's join event. True when they are a member.
 */
export type ConfirmMember = (copId: number, userId: string) => Promise<boolean>;

/** Slack's `1700000000.000123` as an ISO time with its microseconds, so ordering is exact. */
export function slackTimeToIso(ts: string): string {
  const [seconds = '0', fraction = ''] = ts.split('.');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

/** A reaction as a vote; undefined for emoji that are not votes. */
export function reactionVote(r: {
  eventId: string;
  channelId: string;
  messageTs: string;
  userId: string;
  reaction: string;
  removed: boolean;
  eventTs: string;
}): Vote | undefined {
  const stance = stanceOfReaction(r.reaction);
  if (!stance) return undefined;
  return {
    on: { channelId: r.channelId, messageTs: r.messageTs },
    userId: r.userId,
    stance,
    withdraw: r.removed,
    reason: null,
    actedAt: slackTimeToIso(r.eventTs),
    eventId: r.eventId,
  };
}

/** A click (or the objection modal) as a vote. */
export function clickVote(v: {
  proposalId: number;
  userId: string;
  stance: Stance;
  reason: string | null;
  actedAt: string;
}): Vote {
  return {
    on: { proposalId: v.proposalId },
    userId: v.userId,
    stance: v.stance,
    withdraw: false,
    reason: v.reason,
    actedAt: v.actedAt,
  };
}

/**
 * Casting votes, one way for all: every vote is batched with those arriving meanwhile (group
 * commit), judged by `judgeVote` from the facts its one statement read, retried if the write fails transiently. A
 * vote refused because its voter is not known as a member yet is checked against Slack once.
 */
export class VoteRecorder {
  private readonly batcher: VoteBatcher;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    logger: AppLogger,
    private readonly confirmMember: ConfirmMember,
  ) {
    this.batcher = new VoteBatcher(db, () => clock.now(), logger);
  }

  /** Resolves once the vote is written (or refused); rejects if the database could not take it. */
  async cast(vote: Vote): Promise<VoteResult> {
    const result = await this.batcher.write(vote);
    if (result.kind !== 'refused' || result.reason !== 'not-member') return result;
    if (!(await this.confirmMember(result.proposal.cop_id, vote.userId))) return result;
    return this.batcher.write(vote);
  }

  /**
   * Whether the user may vote on the proposal now (before asking an objector for a reason): the
   * same judgement as a vote, with the same check against Slack for a voter not known yet.
   */
  async mayVote(proposalId: number, userId: string): Promise<{ proposal?: Proposal; verdict: VoteVerdict }> {
    const context = await votesRepo.voteContext(this.db, proposalId, userId);
    if (!context) return { verdict: { kind: 'refused', reason: 'closed' } };
    const { proposal } = context;
    const judge = (member: boolean) =>
      judgeVote({ decision: proposal, now: this.clock.now(), member, firstDelivery: true });
    const verdict = judge(context.member);
    if (verdict.kind === 'refused' && verdict.reason === 'not-member') {
      return { proposal, verdict: judge(await this.confirmMember(proposal.cop_id, userId)) };
    }
    return { proposal, verdict };
  }
}
