import type { Feature, FeatureContext, Subcommand } from '../types';
import { communitySubcommands } from './commands';
import { MemberDirectory } from './directory';
import { confirmMember, registerMembershipEvents, welcomeMember, type MemberJoinedHook } from './events';
import * as repo from './repository';

const HOUR = 60 * 60 * 1000;
/** How often each CoP's membership is re-read from Slack, besides join/leave events. */
export const MEMBER_SYNC_INTERVAL_MS = 6 * HOUR;

/**
 * The community itself: setup, help, coordinators, and who the members are.
 * `allSubcommands` and `joinHooks` come from app.ts, which knows every feature.
 */
export function communityFeature(
  ctx: FeatureContext,
  options: {
    allSubcommands: () => Subcommand[];
    joinHooks: () => MemberJoinedHook[];
    botUserId: () => string | undefined;
  },
): Feature & {
  directory: MemberDirectory;
  /** For votes that arrive before their voter's join event (see confirmMember). */
  confirmMember(copId: number, userId: string): Promise<boolean>;
} {
  const directory = new MemberDirectory(ctx.db, ctx.client, ctx.logger.child('members'));
  return {
    name: 'community',
    directory,
    confirmMember: (copId, userId) =>
      confirmMember(ctx, directory, options.joinHooks(), options.botUserId(), copId, userId),
    subcommands: communitySubcommands(ctx, directory, options.allSubcommands),
    register: (routes) => registerMembershipEvents(routes, ctx, directory, options.joinHooks),
    jobs: [
      {
        name: 'refresh-members',
        run: async (now) => {
          for (const cop of await repo.listCops(ctx.db)) {
            const last = cop.members_synced_at?.getTime() ?? 0;
            if (now.getTime() - last < MEMBER_SYNC_INTERVAL_MS) continue;
            const synced = await directory
              .syncMembers(cop, now, options.botUserId())
              .catch((error: unknown) => ctx.logger.error(`member sync failed for cop ${cop.id}`, error));
            // Someone whose join event was missed (or arrived after this sync) is still a
            // newcomer: welcome them as the event would have. The hooks are idempotent.
            for (const userId of synced?.addedIds ?? []) await welcomeMember(ctx, options.joinHooks(), cop, userId);
          }
        },
      },
    ],
  };
}
