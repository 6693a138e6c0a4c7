import type { Db } from '../../db/database';
import { isTransientDbError, withRetry } from '../../db/retry';
import { countVotes } from '../../metrics';
import type { Proposal, Stance } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Conn } from './repository';
import { judgeVote, type VoteRefusal } from './rules';
import * as votesRepo from './votes-repository';

/** One vote, however it was cast. */
export interface Vote {
  /** The proposal voted on: by id (a button, the objection modal) or by its message (a reaction). */
  on: { proposalId: number } | { channelId: string; messageTs: string };
  userId: string;
  stance: Stance;
  /** A removed reaction: withdraws that stance if it is still the member's latest. */
  withdraw: boolean;
  /** An objection's reason (null when none, or when shared anonymously). */
  reason: string | null;
  /** When the member acted: ISO time with Slack's microseconds. */
  actedAt: string;
  /** Slack's event_id for a reaction: the same event counts once. Clicks carry none. */
  eventId?: string;
}

export type VoteResult =
  | { kind: 'counted'; proposal: Proposal; changed: boolean }
  | { kind: 'refused'; reason: VoteRefusal; proposal: Proposal }
  /** Not on a proposal (another message, or a proposal that no longer exists). */
  | { kind: 'ignored' };

/** At most this many votes per statement (7 parameters a row, far below PostgreSQL's 65,535). */
const MAX_BATCH = 500;

/**
 * Writes a batch of votes in one round trip, whatever its size, and no transaction around it
 * (`writeVoteBatch`: the proposals and the voters' membership, the event claims and the stances
 * in one statement; latest acted_at wins; a withdrawal only undoes the stance it names). Each vote
 * is judged by `judgeVote` from the facts it returns. A batch never holds two votes of one
 * member, so applying it at once equals applying its votes in turn.
 */
export async function writeVotes(db: Conn, votes: Vote[], now: Date): Promise<VoteResult[]> {
  const written = await votesRepo.writeVoteBatch(
    db,
    votes.map((vote) => ({ ...vote, eventId: vote.eventId ?? null })),
    now,
  );
  return votes.map((vote, i): VoteResult => {
    const { proposal, member, claimed, changed } = written[i]!;
    if (!proposal) return { kind: 'ignored' };
    const verdict = judgeVote({
      decision: proposal,
      now,
      member,
      firstDelivery: vote.eventId === undefined || claimed,
    });
    return verdict.kind === 'refused'
      ? { kind: 'refused', reason: verdict.reason, proposal }
      : { kind: 'counted', proposal, changed };
  });
}

interface Waiting {
  vote: Vote;
  resolve(result: VoteResult): void;
  reject(error: unknown): void;
}

/**
 * Batches written at once. Acks wait for the write, so a burst's throughput is the votes in
 * flight over a batch's latency: later batches start while the first is written instead of
 * queueing behind it. A batch is one statement outside a transaction, so it holds a pooled
 * connection only while that statement runs: eight kept the vote storm of `npm run bench` about
 * as fast as when acks did not wait (five was slower, twenty no faster) and leave some of the
 * pool's ten connections to the rest. Safe, because every write is conditional (latest acted_at
 * wins, an event is claimed once) and rows are written in one order, so concurrent batches
 * cannot deadlock.
 */
const MAX_IN_FLIGHT = 8;

/**
 * Group commit for votes: the votes arriving while batches are being written wait and go together
 * in the next. A lone vote is written at once; a burst of thousands takes a few dozen statements
 * instead of thousands, and holds at most eight pooled connections. Each batch is
 * retried on transient failures; a batch that fails otherwise is split, so one bad vote cannot
 * take the others down with it.
 */
export class VoteBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Transactions tried so far (retries not counted). */
  batches = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly logger: AppLogger,
  ) {}

  /** Resolves once the vote's batch has committed; rejects if it could not be written. */
  write(vote: Vote): Promise<VoteResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ vote, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Starts the next batch after one turn of the event loop, so requests already received join
   * it (on PGlite a write runs on this thread without yielding to I/O: batches would be of one).
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight >= MAX_IN_FLIGHT || this.waiting.length === 0) return;
      this.inFlight += 1;
      void this.flush(this.take()).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
      this.schedule();
    });
  }

  /** The next batch, oldest first: one vote per member, so each member's votes keep their order. */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const voters = new Set<string>();
    const rest: Waiting[] = [];
    for (const w of this.waiting) {
      if (batch.length < MAX_BATCH && !voters.has(w.vote.userId)) {
        voters.add(w.vote.userId);
        batch.push(w);
      } else rest.push(w);
    }
    this.waiting = rest;
    return batch;
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      const results = await this.attempt(batch);
      const via = (w: Waiting) => (w.vote.eventId === undefined ? 'button' : 'reaction');
      for (const kind of ['button', 'reaction'] as const) {
        countVotes(
          kind,
          results.filter((_, i) => via(batch[i]!) === kind),
        );
      }
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      // Still failing after the retries (the database is down): the votes fail as one would alone.
      if (batch.length === 1 || isTransientDbError(error)) return batch.forEach((w) => w.reject(error));
      // An error in the work itself: each vote on its own, so only a faulty one fails.
      for (const w of batch) await this.flush([w]);
    }
  }

  private attempt(batch: Waiting[]): Promise<VoteResult[]> {
    this.batches += 1;
    const first = batch[0]!.vote;
    const what =
      batch.length === 1
        ? `a vote (${first.eventId ? `event ${first.eventId}` : 'a click'})`
        : `a batch of ${batch.length} votes`;
    return withRetry(
      () =>
        writeVotes(
          this.db,
          batch.map((w) => w.vote),
          this.now(),
        ),
      { logger: this.logger, what },
    );
  }
}
