import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import { withRetry } from '../../db/retry';
import type { Proposal, Stance } from '../../db/schema';
import type { AppLogger } from '../../logger';
import { claimEvent } from '../community/repository';
import * as repo from './repository';
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
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  /** A vote by reaction: one transaction that claims the event and writes the vote, retried if it fails transiently. */
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
    const proposal = await withRetry(() => repo.findProposalByMessage(this.db, v.channelId, v.messageTs), {
      logger: this.logger,
      what: `finding the proposal of a reaction (event ${v.eventId})`,
    });
    if (!proposal) return { kind: 'ignored' };
    return withRetry(
      () =>
        this.db.transaction().execute(async (trx) => {
          if (!(await claimEvent(trx, v.eventId))) return { kind: 'duplicate', proposal } as const;
          return this.applyVote(trx, proposal.id, v.userId, stance, null, slackTimeToIso(v.eventTs), v.removed);
        }),
      { logger: this.logger, what: `reaction vote on proposal ${proposal.id} (event ${v.eventId})` },
    );
  }

  /** A vote by button or by the objection modal. */
  async voteByAction(v: {
    proposalId: number;
    userId: string;
    stance: Stance;
    reason: string | null;
    actedAt: string;
  }): Promise<VoteResult> {
    return withRetry(
      () =>
        this.db
          .transaction()
          .execute((trx) => this.applyVote(trx, v.proposalId, v.userId, v.stance, v.reason, v.actedAt, false)),
      { logger: this.logger, what: `button vote on proposal ${v.proposalId}` },
    );
  }

  private async applyVote(
    trx: repo.Conn,
    proposalId: number,
    userId: string,
    stance: Stance,
    reason: string | null,
    actedAt: string,
    withdraw: boolean,
  ): Promise<VoteResult> {
    const now = this.clock.now();
    const context = await votesRepo.voteContext(trx, proposalId, userId);
    if (!context) return { kind: 'not-found' };
    const { proposal } = context;
    if (proposal.status !== 'open' || now >= proposal.closes_at) return { kind: 'closed', proposal };
    // Membership from the database cache only: a vote never waits on Slack.
    if (!context.member) return { kind: 'not-member', proposal };
    const write = { proposalId, userId, actedAt, now };
    const changed = withdraw
      ? await votesRepo.withdrawStance(trx, { ...write, stance })
      : await votesRepo.recordStance(trx, { ...write, stance, reason });
    return { kind: 'counted', proposal, changed };
  }
}
