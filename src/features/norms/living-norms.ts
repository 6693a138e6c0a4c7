import type { KnownBlock } from '@slack/types';
import type { Cop } from '../../db/schema';
import type { AppLogger } from '../../logger';
import { enqueueDms } from '../../slack/outbox';
import type { Permalinks } from '../../slack/permalinks';
import type { SlackRoutes } from '../../slack/routes';
import type { FeatureContext, Job, Subcommand } from '../types';
import { CharterService } from './charter';
import { reviewLine } from './charter-views';
import { ParticipationBlock } from './participation';
import type { ProposalPublisher } from './publisher';
import { ReviewService } from './reviews';
import { reviewSubcommands } from './reviews-commands';
import { registerReviewListeners } from './reviews-listeners';
import { ReviewPublisher, lapseDm } from './reviews-publisher';
import type { Decision, NormsService } from './service';
import type { Proposal } from '../../db/schema';
import type { ProposalLinks } from './overview';

/** What "norms that live" adds to the norms feature: reviews, the charter, histories, participation. */
export interface LivingNorms {
  readonly subcommands: Subcommand[];
  readonly job: Job;
  /** Each adopted norm's standing and next review, by norm id, for `/cop norms`. */
  reviewLines(cop: Cop): Promise<Map<number, string>>;
  /** The App Home's participation block for this viewer (a self-contained piece). */
  participationBlocks(cop: Cop, viewerId: string): Promise<KnownBlock[]>;
  register(routes: SlackRoutes): void;
}

export function livingNorms(
  ctx: FeatureContext,
  logger: AppLogger,
  service: NormsService,
  publisher: ProposalPublisher,
  permalinks: Permalinks,
): LivingNorms {
  const reviews = new ReviewService(ctx.db, ctx.community, ctx.clock, logger);
  const reviewPublisher = new ReviewPublisher(ctx.client, service, publisher, logger);
  const charter = new CharterService(ctx.db, ctx.client, reviews, ctx.community, ctx.clock, logger);
  const participation = new ParticipationBlock(ctx.db, ctx.community, ctx.clock);
  const linksOf = (proposals: Proposal[]): Promise<ProposalLinks> =>
    permalinks.all(
      proposals.map((p) => ({ id: p.id, ref: p.message_ts ? { channel: p.channel_id, ts: p.message_ts } : undefined })),
    );

  // After any outcome: a changed or retired norm's open review is superseded; the charter follows.
  service.onDecided(async ({ proposal, closed }: Decision) => {
    try {
      if (closed === 'adopted' && (proposal.kind === 'change' || proposal.kind === 'retire') && proposal.norm_id) {
        for (const review of await reviews.supersede(proposal.norm_id)) await reviewPublisher.showSuperseded(review);
      }
      await charter.sync(proposal.cop_id);
    } catch (error) {
      // The scheduled check (norms-reviews) catches up.
      logger.error(`after the outcome of proposal ${proposal.id}`, error);
    }
  });

  /** Reviews whose norm changed are closed, due ones opened (spread out), lapses told, charters kept current. */
  async function runReviews(now: Date): Promise<void> {
    for (const review of await reviews.supersedeStale()) await reviewPublisher.showSuperseded(review);
    const opened = await reviews.openDue(now);
    let posted = 0;
    for (const review of opened) if (await reviewPublisher.post(review)) posted += 1;
    if (opened.length) logger.info(`opened ${posted} due review(s)`);
    const told = await reviews.claimLapses(now, async (trx, review, coordinatorIds) => {
      const link = (await linksOf([review])).get(review.id);
      return enqueueDms(
        trx,
        coordinatorIds.map((userId) => ({
          dedupeKey: `review-lapsed:${review.id}:${userId}`,
          purpose: 'review-lapsed',
          recipient: userId,
          ...lapseDm(review, link),
          notBefore: now,
        })),
      );
    });
    if (told) logger.info(`queued ${told} DM(s) telling coordinators of lapsed reviews`);
    await charter.syncAll();
  }

  return {
    subcommands: reviewSubcommands({ ctx, service, reviews, reviewPublisher, charter, linksOf }),
    job: { name: 'norms-reviews', run: runReviews },
    reviewLines: async (cop) => new Map((await reviews.schedule(cop)).map((s) => [s.norm.id, reviewLine(s)])),
    participationBlocks: (cop, viewerId) => participation.blocks(cop, viewerId),
    register: (routes) => registerReviewListeners(routes, { ctx, service, reviews, charter, linksOf }),
  };
}
