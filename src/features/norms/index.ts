import { enqueueDms } from '../../slack/outbox';
import type { Feature, FeatureContext } from '../types';
import { proposeModal } from './modals';
import { homeBlocks, normsReply, nudgeDm, welcomeDm } from './overview';
import { registerProposeListeners } from './propose-listeners';
import { ProposalPublisher } from './publisher';
import { NormsService } from './service';
import { registerVoteListeners } from './vote-listeners';
import { VoteRecorder } from './votes';
import { CharterService } from './charter';
import { reviewLine } from './charter-views';
import { ParticipationBlock } from './participation';
import { ReviewService } from './reviews';
import { reviewSubcommands } from './reviews-commands';
import { registerReviewListeners } from './reviews-listeners';
import { ReviewPublisher, lapseDm } from './reviews-publisher';
import type { Decision } from './service';

const DAY = 24 * 60 * 60 * 1000;

/** Co-constructed norms: proposals, votes by reaction or button, outcomes, nudges, the norm set. */
export function normsFeature(ctx: FeatureContext): Feature {
  const logger = ctx.logger.child('norms');
  const service = new NormsService(ctx.db, ctx.clock, logger);
  const votes = new VoteRecorder(ctx.db, ctx.clock, logger);
  const publisher = new ProposalPublisher(ctx.client, service, logger);
  const reviews = new ReviewService(ctx.db, ctx.community, ctx.clock, logger);
  const reviewPublisher = new ReviewPublisher(ctx.client, service, publisher, logger);
  const charter = new CharterService(ctx.db, ctx.client, reviews, ctx.community, ctx.clock, logger);
  const participation = new ParticipationBlock(ctx.db, ctx.community, ctx.clock);

  // After any outcome: a changed or retired norm's open review is superseded; the charter follows.
  service.onDecided(async (decision: Decision) => {
    const { proposal, closed } = decision;
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

  return {
    name: 'norms',
    subcommands: [
      {
        name: 'norms',
        usage: '/cop norms',
        description: 'the adopted norms, numbered, and the open proposals with their tallies',
        run: async ({ cop, coordinator, respond }) => {
          if (!cop) return;
          const [norms, open, schedule] = await Promise.all([
            service.numberedNorms(cop.id),
            service.openProposals(cop.id),
            reviews.schedule(cop),
          ]);
          const lines = new Map(schedule.map((s) => [s.norm.id, reviewLine(s)]));
          await respond({ response_type: 'ephemeral', ...normsReply(cop, norms, open.snapshots, coordinator, lines) });
        },
      },
      {
        name: 'propose',
        usage: '/cop propose [title]',
        description: 'propose a new norm, or a change to, or retirement of, an adopted norm',
        run: async ({ cop, command, args, client }) => {
          if (!cop) return;
          const norms = await service.numberedNorms(cop.id);
          await client.views.open({ trigger_id: command.trigger_id, view: proposeModal(cop.id, norms, args) });
        },
      },
      ...reviewSubcommands({ ctx, service, reviews, reviewPublisher, charter }),
    ],

    homeSection: async ({ cop, viewerId }) => {
      const [norms, open] = await Promise.all([service.numberedNorms(cop.id), service.openProposals(cop.id, viewerId)]);
      return [...homeBlocks(norms, open.snapshots, open.stances), ...(await participation.blocks(cop, viewerId))];
    },

    jobs: [
      {
        // Declines proposals past their window (and adopts any the rule now allows, e.g. after members left).
        name: 'norms-decide',
        run: async () => {
          const decided = await service.decideDue();
          for (const decision of decided) await publisher.showDecision(decision);
          if (decided.length) logger.info(`decided ${decided.length} proposal(s) at the scheduled check`);
        },
      },
      {
        // A day before a proposal closes, one private nudge to each member who has not voted.
        name: 'norms-nudge',
        run: async (now) => {
          const queued = await service.nudgeNonVoters(now, DAY, (trx, proposal, userIds) =>
            enqueueDms(
              trx,
              userIds.map((userId) => ({
                dedupeKey: `nudge:${proposal.id}:${userId}`,
                purpose: 'nudge',
                recipient: userId,
                ...nudgeDm(proposal),
                notBefore: now,
                expiresAt: proposal.closes_at,
              })),
            ),
          );
          if (queued) logger.info(`queued ${queued} nudge DM(s) to members who have not voted`);
        },
      },
      {
        // Reviews: close those whose norm changed, open the due ones (spread out), tell coordinators
        // of lapses, and keep each charter current.
        name: 'norms-reviews',
        run: async (now) => {
          for (const review of await reviews.supersedeStale()) await reviewPublisher.showSuperseded(review);
          const opened = await reviews.openDue(now);
          let posted = 0;
          for (const review of opened) if (await reviewPublisher.post(review)) posted += 1;
          if (opened.length) logger.info(`opened ${posted} due review(s)`);
          const told = await reviews.claimLapses(now, (trx, review, coordinatorIds) =>
            enqueueDms(
              trx,
              coordinatorIds.map((userId) => ({
                dedupeKey: `review-lapsed:${review.id}:${userId}`,
                purpose: 'review-lapsed',
                recipient: userId,
                ...lapseDm(review),
                notBefore: now,
              })),
            ),
          );
          if (told) logger.info(`queued ${told} DM(s) telling coordinators of lapsed reviews`);
          await charter.syncAll();
        },
      },
    ],

    async onMemberJoined(cop, userId) {
      const norms = await service.numberedNorms(cop.id);
      await enqueueDms(ctx.db, [
        {
          dedupeKey: `welcome:${cop.id}:${userId}`,
          purpose: 'welcome',
          recipient: userId,
          ...welcomeDm(cop, norms),
          notBefore: ctx.clock.now(),
        },
      ]);
      // A newcomer should see the norms now, not at the next tick.
      await ctx.sendDueDms();
    },

    register(routes) {
      registerVoteListeners(routes, { ctx, service, votes, publisher });
      registerProposeListeners(routes, { ctx, service, publisher });
      registerReviewListeners(routes, { ctx, service, reviews, charter });
    },
  };
}
