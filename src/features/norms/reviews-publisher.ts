import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Proposal } from '../../db/schema';
import type { AppLogger } from '../../logger';
import { context, section } from '../../slack/blocks';
import { channelLink, escapeText } from '../../slack/text';
import type { ProposalPublisher } from './publisher';
import type { NormsService } from './service';
import { proposalLink } from './overview';
import { proposalMessage } from './views';

/** The Slack side of reviews: posting one, showing a superseded one, the coordinators' lapse note. */
export class ReviewPublisher {
  constructor(
    private readonly client: WebClient,
    private readonly service: NormsService,
    private readonly proposals: ProposalPublisher,
    private readonly logger: AppLogger,
  ) {}

  /** Posts a stored review in the home channel; on failure, removes it so it can be opened again. */
  async post(review: Proposal): Promise<boolean> {
    try {
      const message = proposalMessage(await this.service.snapshot(review));
      const posted = await this.client.chat.postMessage({ channel: review.channel_id, ...message });
      if (!posted.ts) throw new Error('chat.postMessage returned no ts');
      await this.service.attachMessage(review.id, posted.ts);
      this.logger.info(`review ${review.id} posted in cop ${review.cop_id}`);
      return true;
    } catch (error) {
      this.logger.error(`posting review ${review.id} in cop ${review.cop_id} failed; discarding it`, error);
      await this.service.discardDraft(review.id).catch((e: unknown) => this.logger.error('discarding failed', e));
      return false;
    }
  }

  /** A review closed as superseded: its message says so, and its thread too (as any outcome). */
  async showSuperseded(review: Proposal): Promise<void> {
    const snapshot = await this.service.snapshot(review);
    await this.proposals.showDecision({ snapshot, closed: 'declined' });
  }
}

/** The private note to each coordinator when a review lapsed. */
export function lapseDm(review: Proposal, permalink?: string): { text: string; blocks: KnownBlock[] } {
  const text = `The review of “${escapeText(review.title)}” in ${channelLink(review.channel_id)} lapsed: it was not kept by the deadline.`;
  return {
    text,
    blocks: [
      section(`:hourglass: ${text} The norm stays, marked “review lapsed”.`),
      section(
        `The review: ${proposalLink(review, permalink)}. You might bring it up at the next meeting, or propose a change or its retirement with \`/cop propose\`.`,
      ),
      context('Only coordinators get this note.'),
    ],
  };
}
