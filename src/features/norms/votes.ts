import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import { withRetry } from '../../db/retry';
import { countVote } from '../../metrics';
import type { Proposal, Stance } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type * as repo from './repository';
import { ReactionVoteBatcher } from './vote-batches';
import { stanceOfReaction } from './rules';
import * as votesRepo from './votes-repository';

export type VoteResult =
  | { kind: 'counted'; proposal: Proposal; changed: boolean }
  | { kind: 'ignored' | 'duplicate' | 'not-member' | 'closed' | 'not-found'; proposal?: Proposal };

/** Slack's `1700000000.000123` as an ISO time with its microseconds, so ordering is exact. */
export function slackTimeToIso(ts: string): string {
  const [seconds = '0', fraction = ''] = ts.split('.');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

/** Casting votes: one member, one vote, the latest wins; each write retried if it fails transiently. */
export class VoteRecorder {
  private readonly reactions: ReactionVoteBatcher;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {
    this.reactions = new ReactionVoteBatcher(db, () => clock.now(), logger);
  }

  /**
   * A vote by reaction: claimed and written in one transaction, batched with the reaction votes
   * arriving meanwhile (group commit), retried if it fails transiently.
   */
  async voteByReaction(v: {
    eventId: string;
    channelId: string;
    messageTs: string;
    userId: string;
    reaction: string;
    removed: boolean;
    eventTs: string;
  }): Promise<VoteResult> {
    const stance = stanceOfReaction(v.reaction);
    if (!stance) return { kind: 'ignored' };
    return this.reactions.write({
      eventId: v.eventId,
      channelId: v.channelId,
      messageTs: v.messageTs,
      userId: v.userId,
      stance,
      withdraw: v.removed,
      actedAt: slackTimeToIso(v.eventTs),
    });
  }

  /** A vote by button or by the objection modal. */
  async voteByAction(v: {
    proposalId: number;
    userId: string;
    stance: Stance;
    reason: string | null;
    actedAt: string;
  }): Promise<VoteResult> {
    const vote = withRetry(() => this.db.transaction().execute((trx) => this.applyVote(trx, v)), {
      logger: this.logger,
      what: `button vote on proposal ${v.proposalId}`,
    });
    return countVote('button', vote);
  }

  private async applyVote(
    trx: repo.Conn,
    v: { proposalId: number; userId: string; stance: Stance; reason: string | null; actedAt: string },
  ): Promise<VoteResult> {
    const now = this.clock.now();
    const context = await votesRepo.voteContext(trx, v.proposalId, v.userId);
    if (!context) return { kind: 'not-found' };
    const { proposal } = context;
    if (proposal.status !== 'open' || now >= proposal.closes_at) return { kind: 'closed', proposal };
    // Membership from the database cache only: a vote never waits on Slack.
    if (!context.member) return { kind: 'not-member', proposal };
    const changed = await votesRepo.recordStances(trx, [v], now);
    return { kind: 'counted', proposal, changed: changed.size > 0 };
  }
}
