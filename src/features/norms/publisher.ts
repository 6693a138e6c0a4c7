import type { WebClient } from '@slack/web-api';
import type { Cop, Proposal } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Decision, NormsService, ProposalInput } from './service';
import { announcementParams, proposalMessage, PROPOSAL_POST_FAILED } from './views';
import { postOnce } from '../../slack/post';

/**
 * The Slack side of proposals: posting them, keeping their message current, announcing outcomes.
 * Message refreshes are coalesced per proposal: during a burst of votes at most one update is in
 * flight and one waits, and each reads the tally afresh, so the last one shows the final count.
 */
export class ProposalPublisher {
  private readonly refreshing = new Coalescer();
  private readonly settling = new Coalescer();

  constructor(
    private readonly client: WebClient,
    private readonly service: NormsService,
    private readonly logger: AppLogger,
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
   * After a vote: decide if the rule allows, update the message, announce an outcome. Coalesced
   * per proposal like the refreshes: a burst of votes runs this a few times, not once per vote,
   * and a run always starts after the caller's vote was committed, so the last one sees every
   * vote and adopts as soon as the rule is met (the conditional close lets only one run adopt).
   */
  afterVote(proposal: Proposal): Promise<void> {
    return this.settling.run(proposal.id, () => this.settle(proposal.id));
  }

  /** Shows a decision made by a job: the message, then the thread reply. */
  async showDecision(decision: Decision): Promise<void> {
    await this.refresh(decision.proposal.id);
    await this.announce(decision);
  }

  refresh(proposalId: number): Promise<void> {
    return this.refreshing.run(proposalId, () => this.render(proposalId));
  }

  private async settle(proposalId: number): Promise<void> {
    let decision: Decision | undefined;
    try {
      decision = await this.service.evaluate(proposalId);
    } catch (error) {
      // The scheduled check decides it on its next tick.
      this.logger.error(`deciding proposal ${proposalId} after a vote failed`, error);
    }
    await this.refresh(proposalId);
    if (decision?.closed) await this.announce(decision);
  }

  private async render(proposalId: number): Promise<void> {
    try {
      const proposal = await this.service.findProposal(proposalId);
      if (!proposal?.message_ts) return;
      const message = proposalMessage(await this.service.snapshot(proposal));
      await this.client.chat.update({ channel: proposal.channel_id, ts: proposal.message_ts, ...message });
    } catch (error) {
      this.logger.error(`updating the message of proposal ${proposalId} failed`, error);
    }
  }

  private async announce(decision: Decision): Promise<void> {
    const proposal = decision.proposal;
    if (!proposal.message_ts) return;
    try {
      const snapshot = await this.service.snapshot(proposal);
      await postOnce(
        this.client,
        // Also sent to the channel: an outcome is news for everyone, not only the thread's followers.
        { channel: proposal.channel_id, thread_ts: proposal.message_ts, ...announcementParams(snapshot) },
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
