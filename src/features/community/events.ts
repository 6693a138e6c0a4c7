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

/**
 * Records a human in the home channel as a member and welcomes them, once; true when they are a
 * member. `welcome` says whether to wait for the welcome (a vote does not: its ack is waiting).
 */
async function admitMember(
  ctx: FeatureContext,
  directory: MemberDirectory,
  hooks: MemberJoinedHook[],
  cop: Cop,
  userId: string,
  botUserId: string | undefined,
  welcome: 'await' | 'in the background' = 'await',
): Promise<boolean> {
  if (!(await directory.isHuman(userId, cop.team_id, ctx.clock.now(), botUserId))) return false;
  if (!(await repo.addMember(ctx.db, cop.id, userId))) return true;
  ctx.logger.info(`member joined cop ${cop.id}`);
  // welcomeMember logs its own failures.
  const welcoming = welcomeMember(ctx, hooks, cop, userId);
  if (welcome === 'await') await welcoming;
  return true;
}

/**
 * For a vote whose voter is not a member yet in the cache: Slack may have them in the channel
 * already, their member_joined_channel event not yet arrived. If so they are recorded (and
 * welcomed) as the event would have. A Slack failure counts as "not a member" for now.
 */
export async function confirmMember(
  ctx: FeatureContext,
  directory: MemberDirectory,
  hooks: MemberJoinedHook[],
  botUserId: string | undefined,
  copId: number,
  userId: string,
): Promise<boolean> {
  try {
    const cop = await repo.findCopById(ctx.db, copId);
    if (!cop || !(await directory.mayHaveJoined(cop, userId))) return false;
    return await admitMember(ctx, directory, hooks, cop, userId, botUserId, 'in the background');
  } catch (error) {
    ctx.logger.warn(`checking a voter's membership of cop ${copId} with Slack failed`, error);
    return false;
  }
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
    directory.noteMembership(cop.id, user, true);
    await admitMember(ctx, directory, onJoined(), cop, user, context.botUserId);
  });

  routes.event('member_left_channel', async ({ event, body }) => {
    const parsed = membershipEvent.safeParse(event);
    if (!parsed.success) return;
    const { user, channel } = parsed.data;
    const teamId = parsed.data.team ?? ('team_id' in body ? String(body.team_id) : '');
    const cop = await repo.findCopByChannel(ctx.db, teamId, channel);
    if (!cop) return;
    directory.noteMembership(cop.id, user, false);
    if (await repo.removeMember(ctx.db, cop.id, user)) {
      ctx.logger.info(`member left cop ${cop.id}`);
      await ctx.refreshHome(user);
    }
  });
}
