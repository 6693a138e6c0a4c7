import type { Feature, FeatureContext, Subcommand } from '../types';
import { strugglesSinceLastMeeting } from './agenda';
import { Capabilities } from './capability';
import { registerThreadEvents } from './events';
import { strugglesHealthFigures } from './health';
import { openStruggleForm, registerPostingListeners } from './listeners';
import { registerReplyListeners } from './reply-listeners';
import { registerModeration } from './moderation';
import * as repo from './repository';
import * as search from './search-repository';
import * as searchViews from './search-views';
import * as views from './views';

export { listStrugglesSince, type StruggleSummary } from './repository';

const SEARCH_HITS = 5;
const HOME_RECENT = 5;
// A post reserved but never confirmed (a crash mid-post) frees its slot after this.
const UNPOSTED_GRACE_MS = 15 * 60 * 1000;

/**
 * Anonymous practice struggles: the post, its anonymous replies and the author's follow-ups,
 * helpful answers, search, and coordinators' moderation.
 */
export function strugglesFeature(ctx: FeatureContext): Feature {
  if (!ctx.secret) throw new Error('the struggles feature needs ctx.secret to sign authors’ capabilities');
  const caps = new Capabilities(ctx.secret, ctx.previousSecrets);

  const subcommands: Subcommand[] = [
    {
      name: 'struggle',
      usage: '/cop struggle [text]',
      description: 'opens the anonymous struggle modal (text prefilled)',
      helpButton: { text: 'Share a struggle anonymously', actionId: views.IDS.open },
      opensModal: true,
      run: async ({ command, args, cop, client, respond }) => {
        try {
          await openStruggleForm(client, command.trigger_id, cop!.id, args);
        } catch {
          // Never echo the text: it is meant to be anonymous.
          await respond({
            response_type: 'ephemeral',
            text: 'The form could not be opened (Slack allows 3 seconds). Please run `/cop struggle` again.',
          });
        }
      },
    },
    {
      name: 'search',
      usage: '/cop search <words>',
      description: 'past struggles and their helpful answers, ranked, with links',
      run: async ({ args, cop, respond }) => {
        if (!args) {
          await respond({ response_type: 'ephemeral', text: searchViews.SEARCH_USAGE });
          return;
        }
        const hits = await search.searchStruggles(ctx.db, cop!.id, args.slice(0, 500), SEARCH_HITS);
        const helpful = await search.helpfulAnswers(
          ctx.db,
          hits.map((h) => h.id),
        );
        await respond({ response_type: 'ephemeral', ...searchViews.searchResults(args, hits, helpful) });
      },
    },
  ];

  return {
    name: 'struggles',
    healthFigures: strugglesHealthFigures(ctx.db),
    agenda: strugglesSinceLastMeeting,
    subcommands,
    homeSection: async ({ cop }) =>
      searchViews.homeSection(cop.id, await repo.listRecentStruggles(ctx.db, cop.id, HOME_RECENT)),
    homeCoordinatorSection: async () => searchViews.homeModerationBlocks(),
    jobs: [
      {
        name: 'prune-unposted-struggles',
        run: async (now) => {
          const pruned = await repo.pruneUnposted(ctx.db, new Date(now.getTime() - UNPOSTED_GRACE_MS));
          if (pruned) ctx.logger.info(`struggles: pruned ${pruned} posts that never reached Slack`);
        },
      },
    ],
    register(routes) {
      registerPostingListeners(routes, ctx, caps);
      registerReplyListeners(routes, ctx, caps);
      registerModeration(routes, ctx);
      registerThreadEvents(routes, ctx);
    },
  };
}
