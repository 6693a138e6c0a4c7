import type { Db } from '../../db/database';
import { isTransientDbError, withRetry } from '../../db/retry';
import { countVotes } from '../../metrics';
import type { Proposal, Stance } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Conn } from './repository';
import { recordStances, voteKey, withdrawStances } from './votes-repository';

/** One reaction vote waiting to be written. */
export interface ReactionVote {
  eventId: string;
  channelId: string;
  messageTs: string;
  userId: string;
  stance: Stance;
  /** A removed reaction: withdraws that stance if it is still the member's latest. */
  withdraw: boolean;
  /** ISO time with Slack's microseconds. */
  actedAt: string;
}

export type ReactionOutcome =
  | { kind: 'counted'; proposal: Proposal; changed: boolean }
  | { kind: 'ignored' | 'duplicate' | 'not-member' | 'closed'; proposal?: Proposal };

/** At most this many votes per statement (6 parameters a row, far below PostgreSQL's 65,535). */
const MAX_BATCH = 500;

const keyOf = (v: ReactionVote) => `${v.channelId}\u0000${v.messageTs}\u0000${v.userId}`;

/**
 * Writes a batch of reaction votes in one transaction and a handful of statements, whatever
 * its size: the proposals reacted to, the event claims, the voters' membership (from the
 * database only), then the stances, each with the same conditional upserts as a single vote
 * (latest acted_at wins; a withdrawal only undoes the stance it names). A batch never holds two
 * votes of one member on one message, so applying it at once equals applying its votes in turn.
 */
export async function writeReactionVotes(trx: Conn, votes: ReactionVote[], now: Date): Promise<ReactionOutcome[]> {
  const proposals = await trx
    .selectFrom('proposals')
    .selectAll()
    .where('channel_id', 'in', [...new Set(votes.map((v) => v.channelId))])
    .where('message_ts', 'in', [...new Set(votes.map((v) => v.messageTs))])
    .execute();
  const proposalOf = (v: ReactionVote) =>
    proposals.find((p) => p.channel_id === v.channelId && p.message_ts === v.messageTs);
  const onProposal = votes.filter((v) => proposalOf(v));
  if (onProposal.length === 0) return votes.map(() => ({ kind: 'ignored' }));

  // The event claim, in the same transaction as the vote: a redelivered event counts once.
  const claimed = new Set(
    (
      await trx
        .insertInto('processed_events')
        .values(onProposal.map((v) => ({ event_id: v.eventId })))
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .execute()
    ).map((r) => r.event_id),
  );
  const copIds = [...new Set(proposals.map((p) => p.cop_id))];
  const userIds = [...new Set(onProposal.filter((v) => claimed.has(v.eventId)).map((v) => v.userId))];
  const members = new Set(
    userIds.length === 0
      ? []
      : (
          await trx
            .selectFrom('members')
            .select(['cop_id', 'user_id'])
            .where('cop_id', 'in', copIds)
            .where('user_id', 'in', userIds)
            .execute()
        ).map((m) => `${m.cop_id}\u0000${m.user_id}`),
  );

  const outcomes = new Map<ReactionVote, ReactionOutcome>();
  const toWrite: Array<{ vote: ReactionVote; proposal: Proposal }> = [];
  for (const vote of votes) {
    const proposal = proposalOf(vote);
    if (!proposal) outcomes.set(vote, { kind: 'ignored' });
    else if (!claimed.has(vote.eventId)) outcomes.set(vote, { kind: 'duplicate', proposal });
    else if (proposal.status !== 'open' || now >= proposal.closes_at) outcomes.set(vote, { kind: 'closed', proposal });
    else if (!members.has(`${proposal.cop_id}\u0000${vote.userId}`))
      outcomes.set(vote, { kind: 'not-member', proposal });
    else toWrite.push({ vote, proposal });
  }

  const write = ({ vote, proposal }: (typeof toWrite)[number]) => ({
    proposalId: proposal.id,
    userId: vote.userId,
    actedAt: vote.actedAt,
  });
  const records = toWrite.filter((w) => !w.vote.withdraw);
  const changed = await recordStances(
    trx,
    records.map((w) => ({ ...write(w), stance: w.vote.stance, reason: null })),
    now,
  );
  // Withdrawals: one statement per stance withdrawn, since the condition names the stance.
  for (const stance of ['support', 'object'] as const) {
    const withdrawals = toWrite.filter((w) => w.vote.withdraw && w.vote.stance === stance);
    for (const key of await withdrawStances(trx, stance, withdrawals.map(write), now)) changed.add(key);
  }
  for (const { vote, proposal } of toWrite) {
    outcomes.set(vote, { kind: 'counted', proposal, changed: changed.has(voteKey(proposal.id, vote.userId)) });
  }
  return votes.map((v) => outcomes.get(v)!);
}

interface Waiting {
  vote: ReactionVote;
  resolve(outcome: ReactionOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit for reaction votes: while one batch is being written, the votes arriving meanwhile
 * wait and go together in the next. A lone vote is written at once; a burst of thousands takes a
 * few dozen transactions instead of thousands, and holds one pooled connection, not all of them.
 * Each batch is retried on transient failures; a batch that fails otherwise is split, so one bad
 * vote cannot take the others down with it.
 */
export class ReactionVoteBatcher {
  private waiting: Waiting[] = [];
  private writing = false;
  /** Transactions tried so far (retries not counted). */
  batches = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly logger: AppLogger,
  ) {}

  write(vote: ReactionVote): Promise<ReactionOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ vote, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        // One turn of the event loop first, so requests already received join this batch: on
        // PGlite a write runs on this thread without yielding to I/O, and batches would be of one.
        await new Promise((resolve) => setImmediate(resolve));
        await this.flush(this.take());
      }
    } finally {
      this.writing = false;
    }
  }

  /** The next batch, oldest first: one vote per member and message, so their order holds. */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const keys = new Set<string>();
    const rest: Waiting[] = [];
    for (const w of this.waiting) {
      const key = keyOf(w.vote);
      if (batch.length < MAX_BATCH && !keys.has(key)) {
        keys.add(key);
        batch.push(w);
      } else rest.push(w);
    }
    this.waiting = rest;
    return batch;
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.attempt(batch);
      countVotes('reaction', outcomes);
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (error) {
      // Still failing after the retries (the database is down): the votes fail as one would alone.
      if (batch.length === 1 || isTransientDbError(error)) return batch.forEach((w) => w.reject(error));
      // An error in the work itself: each vote on its own, so only a faulty one fails.
      for (const w of batch) await this.flush([w]);
    }
  }

  private attempt(batch: Waiting[]): Promise<ReactionOutcome[]> {
    this.batches += 1;
    const what =
      batch.length === 1
        ? `reaction vote (event ${batch[0]!.vote.eventId})`
        : `a batch of ${batch.length} reaction votes (events ${batch[0]!.vote.eventId}…)`;
    return withRetry(
      () =>
        this.db.transaction().execute((trx) =>
          writeReactionVotes(
            trx,
            batch.map((w) => w.vote),
            this.now(),
          ),
        ),
      { logger: this.logger, what },
    );
  }
}
