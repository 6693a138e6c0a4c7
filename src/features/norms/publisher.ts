import type { WebClient } from '@slack/web-api';
import type { Cop, Proposal } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { NormsService, ProposalInput, Settled } from './service';
import { announcementParams, proposalMessage, PROPOSAL_POST_FAILED } from './views';
import { isMessageGone, slackErrorCode } from '../../slack/errors';
import { postOnce } from '../../slack/post';
import { withDeadline } from '../../deadline';

/** Waits before settling a proposal again after a failure: 1 s, doubling, at most a minute apart. */
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** Gives up after this many tries in a row (about 15 minutes); the next vote or decision starts afresh. */
const RETRY_ATTEMPTS = 20;
/**
 * A settle not finished by then (a connection hung in a network partition, say) counts as failed
 * and is tried again: it must not hold every later settle of its proposal behind it.
 */
const SETTLE_TIMEOUT_MS = 30_000;

/**
 * The Slack side of proposals: posting them, keeping their message current, announcing outcomes.
 * Settling is coalesced per proposal: during a burst of votes at most one run is in flight and
 * one waits, and each reads the tally afresh, so the last one shows the final count. A run that
 * fails (the database or Slack away) is tried again later, so the message always ends up true.
 */
export class ProposalPublisher {
  private readonly settling = new Coalescer();
  private readonly retries = new Map<number, { attempt: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly client: WebClient,
    private readonly service: NormsService,
    private readonly logger: AppLogger,
    private readonly settleTimeoutMs = SETTLE_TIMEOUT_MS,
  ) {}

  /** Stores and posts a proposal; on failure, stores nothing and tells the proposer. */
  async publish(cop: Cop, input: ProposalInput, proposedBy: string): Promise<Proposal | undefined> {
    const draft = await this.service.createDraft(cop, input, proposedBy);
    let postedTs: string | undefined;
    try {
      const message = proposalMessage(await this.service.snapshot(draft));
      const posted = await postOnce(
        this.client,
        { channel: cop.channel_id, ...message },
        { key: `proposal:${draft.id}`, logger: this.logger },
      );
      postedTs = posted.ts;
      await this.service.attachMessage(draft.id, postedTs);
      this.logger.info(`proposal ${draft.id} (${draft.kind}) posted in cop ${cop.id}`);
      return { ...draft, message_ts: postedTs };
    } catch (error) {
      this.logger.error(`posting proposal ${draft.id} in cop ${cop.id} failed; discarding it`, error);
      await this.service.discardDraft(draft.id).catch((e: unknown) => this.logger.error('discarding failed', e));
      if (postedTs) {
        await this.client.chat
          .delete({ channel: cop.channel_id, ts: postedTs })
          .catch((e: unknown) => this.logger.error('deleting the orphan message failed', e));
      }
      await this.tellPrivately(cop.channel_id, proposedBy, PROPOSAL_POST_FAILED(input.title));
      return undefined;
    }
  }

  /**
   * After a vote: decide if the rule allows, update the message, announce an outcome, all from
   * one read of the tally. A run always starts after the caller's vote was committed, so the last
   * one sees every vote and adopts as soon as the rule is met (the conditional close lets only one
   * run adopt). Resolves when the message is current, or a retry is scheduled.
   */
  afterVote(proposalId: number): Promise<void> {
    return this.settling.run(proposalId, () => this.settle(proposalId));
  }

  /** Shows a decision made by a job: the message, then the thread reply. */
  async showDecision(settled: Settled): Promise<void> {
    const proposalId = settled.snapshot.proposal.id;
    try {
      await this.show(settled);
    } catch (error) {
      this.failed(proposalId, settled, error);
    }
  }

  private async settle(proposalId: number): Promise<void> {
    let settled: Settled | undefined;
    const work = async () => {
      settled = await this.service.settle(proposalId);
      if (settled) await this.show(settled);
    };
    try {
      await withDeadline(
        work(),
        this.settleTimeoutMs,
        () => new Error(`settling proposal ${proposalId} took over ${this.settleTimeoutMs} ms`),
      );
      this.succeeded(proposalId);
    } catch (error) {
      this.failed(proposalId, settled, error);
    }
  }

  private failed(proposalId: number, settled: Settled | undefined, error: unknown): void {
    this.logger.error(`showing the tally of proposal ${proposalId} failed; trying again later`, error);
    this.retryLater(proposalId);
  }

  /**
   * The message from the snapshot, then the outcome in its thread, and last the message recorded
   * as shown: a stop before that leaves it lagging, for a retry or the job to finish. The outcome
   * is due when this settle closed the proposal, or when a decided proposal's message still lags
   * (the run that decided it failed or stopped first); it is posted by whichever instance claims
   * it first in the database, so never twice.
   */
  private async show({ snapshot, closed, version }: Settled): Promise<void> {
    const proposal = snapshot.proposal;
    if (!proposal.message_ts) return;
    try {
      await this.client.chat.update({
        channel: proposal.channel_id,
        ts: proposal.message_ts,
        ...proposalMessage(snapshot),
      });
    } catch (error) {
      if (!isMessageGone(error)) throw error;
      // Deleted, or its channel archived: no retry can show it, so it counts as shown.
      this.logger.warn(`the message of proposal ${proposal.id} is gone (${slackErrorCode(error)}); not updating it`);
      if (version !== undefined) await this.service.messageShown(proposal.id, version);
      return;
    }
    const lagging = version !== undefined && proposal.shown_version < version;
    const outcomeDue = closed !== undefined || (proposal.status !== 'open' && lagging);
    if (outcomeDue && (await this.service.claimOutcomeReply(proposal.id))) await this.announce(snapshot);
    if (version !== undefined) await this.service.messageShown(proposal.id, version);
  }

  /**
   * Settles again each proposal whose message lags its votes or status in the database: an
   * update that failed after its retries, or an instance that stopped before updating (retries
   * live in memory). A decided one also gets its outcome reply if it has none. Returns how many.
   */
  async refreshLagging(): Promise<number> {
    const lagging = await this.service.laggingMessages();
    for (const proposalId of lagging) await this.afterVote(proposalId);
    return lagging.length;
  }

  /** Settles again after a backoff, so a message a failure left stale ends up true. */
  private retryLater(proposalId: number): void {
    const attempt = (this.retries.get(proposalId)?.attempt ?? 0) + 1;
    clearTimeout(this.retries.get(proposalId)?.timer);
    if (attempt > RETRY_ATTEMPTS) {
      this.retries.delete(proposalId);
      this.logger.error(`gave up updating the message of proposal ${proposalId} after ${RETRY_ATTEMPTS} tries`);
      return;
    }
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    const timer = setTimeout(() => void this.afterVote(proposalId), delay);
    timer.unref();
    this.retries.set(proposalId, { attempt, timer });
  }

  private succeeded(proposalId: number): void {
    clearTimeout(this.retries.get(proposalId)?.timer);
    this.retries.delete(proposalId);
  }

  /**
   * The outcome in the thread, once claimed; not retried: posting twice is worse than a missing
   * reply (the message shows it).
   */
  private async announce(snapshot: Settled['snapshot']): Promise<void> {
    const proposal = snapshot.proposal;
    try {
      await postOnce(
        this.client,
        // Also sent to the channel: an outcome is news for everyone, not only the thread's followers.
        { channel: proposal.channel_id, thread_ts: proposal.message_ts!, ...announcementParams(snapshot) },
        { key: `proposal-outcome:${proposal.id}`, logger: this.logger },
      );
    } catch (error) {
      this.logger.error(`announcing the outcome of proposal ${proposal.id} failed`, error);
    }
  }

  /** An ephemeral note in the channel, or a DM when that is not possible. */
  async tellPrivately(channelId: string, userId: string, text: string): Promise<void> {
    try {
      await this.client.chat.postEphemeral({ channel: channelId, user: userId, text });
    } catch {
      await postOnce(this.client, { channel: userId, text }, { logger: this.logger }).catch((error: unknown) =>
        this.logger.error('telling a user privately failed', error),
      );
    }
  }
}

/**
 * Per key, at most one run in flight and one waiting: callers arriving while a run is in flight
 * share the waiting one, which starts when the first ends and so sees everything done before
 * they called.
 */
class Coalescer {
  private readonly queue = new Map<number, { current: Promise<void>; next?: Promise<void> }>();

  run(key: number, work: () => Promise<void>): Promise<void> {
    const entry = this.queue.get(key);
    if (!entry) {
      const current = work().finally(() => this.advance(key));
      this.queue.set(key, { current });
      return current;
    }
    entry.next ??= entry.current.then(work, work);
    return entry.next;
  }

  private advance(key: number): void {
    const entry = this.queue.get(key);
    if (entry?.next) this.queue.set(key, { current: entry.next.finally(() => this.advance(key)) });
    else this.queue.delete(key);
  }
}
