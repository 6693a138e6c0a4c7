import { z } from 'zod';
import type { FeatureContext } from '../types';
import type { MemberDirectory } from './directory';
import * as repo from './repository';
import type { Cop } from '../../db/schema';
import type { SlackRoutes } from '../../slack/routes';

const membershipEvent = z.object({ user: z.string(), channel: z.string(), team: z.string().optional() });

export type MemberJoinedHook = (cop: Cop, userId: string) => Promise<void>;

/** Runs every feature's welcome for a newcomer (the hooks are idempotent) and refreshes their App Home. */
export async function welcomeMember(
  ctx: FeatureContext,
  hooks: MemberJoinedHook[],
  cop: Cop,
  userId: string,
): Promise<void> {
  for (const hook of hooks) {
    await hook(cop, userId).catch((error: unknown) =>
      ctx.logger.error(`welcoming a new member of cop ${cop.id} failed`, error),
    );
  }
  await ctx.refreshHome(userId);
}

/** Keeps the cached membership fresh as people join and leave the home channel. */
export function registerMembershipEvents(
  routes: SlackRoutes,
  ctx: FeatureContext,
  directory: MemberDirectory,
  onJoined: () => MemberJoinedHook[],
): void {
  routes.event('member_joined_channel', async ({ event, context, body }) => {
    const parsed = membershipEvent.safeParse(event);
    if (!parsed.success) return;
    const { user, channel } = parsed.data;
    const teamId = parsed.data.team ?? ('team_id' in body ? String(body.team_id) : '');
    const cop = await repo.findCopByChannel(ctx.db, teamId, channel);
    if (!cop) return;
    if (!(await directory.isHuman(user, cop.team_id, ctx.clock.now(), context.botUserId))) return;
    const added = await repo.addMember(ctx.db, cop.id, user);
    if (!added) return;
    ctx.logger.info(`member joined cop ${cop.id}`);
    await welcomeMember(ctx, onJoined(), cop, user);
  });

  routes.event('member_left_channel', async ({ event, body }) => {
    const parsed = membershipEvent.safeParse(event);
    if (!parsed.success) return;
    const { user, channel } = parsed.data;
    const teamId = parsed.data.team ?? ('team_id' in body ? String(body.team_id) : '');
    const cop = await repo.findCopByChannel(ctx.db, teamId, channel);
    if (!cop) return;
    if (await repo.removeMember(ctx.db, cop.id, user)) {
      ctx.logger.info(`member left cop ${cop.id}`);
      await ctx.refreshHome(user);
    }
  });
}
