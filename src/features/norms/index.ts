import type { Cop } from '../../db/schema';
import { enqueueDms } from '../../slack/outbox';
import { Permalinks } from '../../slack/permalinks';
import type { Feature, FeatureContext } from '../types';
import { proposeModal } from './modals';
import { normsHealthFigures } from './health';
import { homeBlocks, homeCoordinatorBlocks, normsReply, nudgeDm, welcomeDm, type ProposalLinks } from './overview';
import { registerProposeListeners } from './propose-listeners';
import { OverviewCache } from './overview-cache';
import { ProposalPublisher } from './publisher';
import { NormsService } from './service';
import { registerVoteListeners } from './vote-listeners';
import type { ProposalSnapshot } from './service';
import { VoteRecorder, type ConfirmMember } from './votes';
import { livingNorms } from './living-norms';
import { proposalsAwaitingVote } from './agenda';

const DAY = 24 * 60 * 60 * 1000;

/** Coordinators see one more button; everyone the rule and review period as the CoP row read now says. */
const overviewVariant = (cop: Cop, coordinator: boolean) =>
  `${coordinator ? 'coordinator' : 'member'}:${cop.quorum_num}/${cop.quorum_den}:${cop.approval_num}/${cop.approval_den}:${cop.window_hours}:${cop.review_months}`;

/**
 * Co-constructed norms: proposals, votes by reaction or button, outcomes, nudges, the norm set.
 * `confirmMember` (the community's) checks with Slack a voter whose join event has not arrived.
 */
export function normsFeature(ctx: FeatureContext, options: { confirmMember: ConfirmMember }): Feature {
  const logger = ctx.logger.child('norms');
  const service = new NormsService(ctx.db, ctx.community, ctx.clock, logger);
  const votes = new VoteRecorder(ctx.db, ctx.clock, logger, options.confirmMember);
  const publisher = new ProposalPublisher(ctx.client, service, logger);
  const permalinks = new Permalinks(ctx.client);
  const linksOf = (open: ProposalSnapshot[]): Promise<ProposalLinks> =>
    permalinks.all(
      open.map(({ proposal: p }) => ({
        id: p.id,
        ref: p.message_ts ? { channel: p.channel_id, ts: p.message_ts } : undefined,
      })),
    );
  const living = livingNorms(ctx, logger, service, publisher, permalinks);

  const overviews = new OverviewCache<ReturnType<typeof normsReply>>();

  return {
    name: 'norms',
    healthFigures: normsHealthFigures(ctx.db),
    agenda: proposalsAwaitingVote,
    subcommands: [
      {
        name: 'norms',
        usage: '/cop norms',
        description: 'the adopted norms, numbered, and the open proposals with their tallies',
        answersInAck: true,
        run: async ({ cop, coordinator, respond }) => {
          if (!cop) return;
          const reply = await overviews.get(cop, overviewVariant(cop, coordinator), async () => {
            const [norms, open, lines] = await Promise.all([
              service.numberedNorms(cop.id),
              service.openProposals(cop.id),
              living.reviewLines(cop),
            ]);
            const links = await linksOf(open.snapshots);
            // Kept only with every link: a permalink Slack could not give now is asked for again.
            const keep = open.snapshots.every((s) => !s.proposal.message_ts || links.has(s.proposal.id));
            return { value: normsReply(cop, norms, open.snapshots, coordinator, links, lines), keep };
          });
          await respond({ response_type: 'ephemeral', ...reply });
        },
      },
      {
        name: 'propose',
        usage: '/cop propose [title]',
        description: 'propose a new norm, or a change to, or retirement of, an adopted norm',
        opensModal: true,
        run: async ({ cop, command, args, client }) => {
          if (!cop) return;
          const norms = await service.numberedNorms(cop.id);
          await client.views.open({ trigger_id: command.trigger_id, view: proposeModal(cop.id, norms, args) });
        },
      },
      ...living.subcommands,
    ],

    homeSection: async ({ cop, viewerId }) => {
      const [norms, open] = await Promise.all([service.numberedNorms(cop.id), service.openProposals(cop.id, viewerId)]);
      return [
        ...homeBlocks(cop.id, norms, open.snapshots, open.stances, await linksOf(open.snapshots)),
        ...(await living.participationBlocks(cop, viewerId)),
      ];
    },
    homeCoordinatorSection: async ({ cop }) => homeCoordinatorBlocks(cop),

    jobs: [
      {
        // A message left behind its tally (a failed update, an instance that stopped) catches up.
        name: 'norms-messages',
        run: async () => {
          const refreshed = await publisher.refreshLagging();
          if (refreshed) logger.info(`brought ${refreshed} proposal message(s) up to their tally`);
        },
      },
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
          const queued = await service.nudgeNonVoters(now, DAY, async (trx, proposal, userIds) => {
            const { id, channel_id: channel, message_ts: ts } = proposal;
            const link = ts ? await permalinks.of({ channel, ts }) : undefined;
            return enqueueDms(
              trx,
              userIds.map((userId) => ({
                dedupeKey: `nudge:${id}:${userId}`,
                purpose: 'nudge',
                recipient: userId,
                ...nudgeDm(proposal, link),
                notBefore: now,
                expiresAt: proposal.closes_at,
              })),
            );
          });
          if (queued) logger.info(`queued ${queued} nudge DM(s) to members who have not voted`);
        },
      },
      living.job,
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
      living.register(routes);
    },
  };
}
