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

const sameProposal = (v: Vote, p: Proposal) =>
  'proposalId' in v.on ? p.id === v.on.proposalId : p.channel_id === v.on.channelId && p.message_ts === v.on.messageTs;

/**
 * Writes a batch of votes in one transaction and a handful of statements, whatever its size: the
 * proposals voted on with the voters' membership (from the database), the event claims, then the
 * stances (latest acted_at wins; a withdrawal only undoes the stance it names). Each vote is
 * judged by `judgeVote`. A batch never holds two votes of one member, so applying it at once
 * equals applying its votes in turn.
 */
export async function writeVotes(trx: Conn, votes: Vote[], now: Date): Promise<VoteResult[]> {
  const voted = await votesRepo.proposalsVotedOn(
    trx,
    {
      ids: votes.flatMap((v) => ('proposalId' in v.on ? [v.on.proposalId] : [])),
      messages: votes.flatMap((v) => ('proposalId' in v.on ? [] : [v.on])),
    },
    votes.map((v) => v.userId),
  );
  const proposalOf = (v: Vote) => voted.find((p) => sameProposal(v, p.proposal))?.proposal;
  const membersOf = new Map(voted.map((p) => [p.proposal.id, p.memberIds]));
  const judge = (vote: Vote, proposal: Proposal, firstDelivery: boolean) =>
    judgeVote({ decision: proposal, now, member: membersOf.get(proposal.id)!.has(vote.userId), firstDelivery });
  // Only the events of votes that would count are claimed, in the same transaction as the votes:
  // a redelivered event counts once, and a refused one can count when delivered again (the
  // voter's membership known by then).
  const claimable = votes.filter((v) => {
    const proposal = proposalOf(v);
    return v.eventId !== undefined && proposal !== undefined && judge(v, proposal, true).kind === 'counted';
  });
  // Rows in one order (event ids, then proposal and member), so concurrent batches lock them alike.
  const claimed = await votesRepo.claimEvents(trx, claimable.map((v) => v.eventId!).sort());

  const results = new Map<Vote, VoteResult>();
  const toWrite: Array<{ vote: Vote; proposal: Proposal }> = [];
  for (const vote of votes) {
    const proposal = proposalOf(vote);
    if (!proposal) {
      results.set(vote, { kind: 'ignored' });
      continue;
    }
    const verdict = judge(vote, proposal, vote.eventId === undefined || claimed.has(vote.eventId));
    if (verdict.kind === 'refused') results.set(vote, { kind: 'refused', reason: verdict.reason, proposal });
    else toWrite.push({ vote, proposal });
  }

  toWrite.sort((a, b) => a.proposal.id - b.proposal.id || (a.vote.userId < b.vote.userId ? -1 : 1));
  const write = ({ vote, proposal }: (typeof toWrite)[number]) => ({
    proposalId: proposal.id,
    userId: vote.userId,
    actedAt: vote.actedAt,
  });
  const changed = await votesRepo.recordStances(
    trx,
    toWrite.filter((w) => !w.vote.withdraw).map((w) => ({ ...write(w), stance: w.vote.stance, reason: w.vote.reason })),
    now,
  );
  // Withdrawals: one statement per stance withdrawn, since the condition names the stance.
  for (const stance of ['support', 'object'] as const) {
    const withdrawals = toWrite.filter((w) => w.vote.withdraw && w.vote.stance === stance);
    for (const key of await votesRepo.withdrawStances(trx, stance, withdrawals.map(write), now)) changed.add(key);
  }
  for (const { vote, proposal } of toWrite) {
    results.set(vote, {
      kind: 'counted',
      proposal,
      changed: changed.has(votesRepo.voteKey(proposal.id, vote.userId)),
    });
  }
  return votes.map((v) => results.get(v)!);
}

interface Waiting {
  vote: Vote;
  resolve(result: VoteResult): void;
  reject(error: unknown): void;
}

/**
 * Batches written at once. Acks wait for the write, so a burst's throughput is the votes in
 * flight over a batch's latency: later batches start while the first commits instead of queueing
 * behind it (five kept the vote storm of `npm run bench` as fast as when acks did not wait, and
 * leave most of the pool's ten connections to the rest). Safe, because every write is conditional (latest acted_at wins, an event
 * is claimed once) and rows are written in one order, so concurrent batches cannot deadlock.
 */
const MAX_IN_FLIGHT = 5;

/**
 * Group commit for votes: the votes arriving while batches are being written wait and go together
 * in the next. A lone vote is written at once; a burst of thousands takes a few dozen transactions
 * instead of thousands, and holds at most five pooled connections. Each batch is
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
        this.db.transaction().execute((trx) =>
          writeVotes(
            trx,
            batch.map((w) => w.vote),
            this.now(),
          ),
        ),
      { logger: this.logger, what },
    );
  }
}
