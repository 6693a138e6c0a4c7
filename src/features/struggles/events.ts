import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import * as service from './service';
import { IDS } from './views';
import type { AppLogger } from '../../logger';
import type { EventArgs, ShortcutArgs } from '../../slack/listener-args';
import type { SlackRoutes } from '../../slack/routes';

const HELPFUL = 'bulb';

const reaction = z.object({
  user: z.string(),
  reaction: z.string(),
  item: z.object({ type: z.literal('message'), channel: z.string(), ts: z.string() }),
  event_ts: z.string().optional(),
});

const plainMessage = z.object({
  subtype: z.enum(['thread_broadcast', 'file_share']).optional(),
  channel: z.string(),
  user: z.string(),
  text: z.string().default(''),
  ts: z.string(),
  thread_ts: z.string(),
  bot_id: z.string().optional(),
});
const changedMessage = z.object({
  subtype: z.literal('message_changed'),
  channel: z.string(),
  message: z.object({ ts: z.string(), text: z.string().default('') }),
});
const deletedMessage = z.object({
  subtype: z.literal('message_deleted'),
  channel: z.string(),
  deleted_ts: z.string(),
});

const messageShortcut = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({
    ts: z.string(),
    thread_ts: z.string().optional(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    text: z.string().default(''),
  }),
});

interface Deps {
  readonly ctx: FeatureContext;
  readonly log: AppLogger;
}

/** Thread replies kept for search, and members' marks of helpful answers. */
export function registerThreadEvents(routes: SlackRoutes, ctx: FeatureContext): void {
  const deps: Deps = { ctx, log: ctx.logger.child('struggles') };
  routes.event('reaction_added', (args) => countHelpfulReaction(deps, 'reaction_added', args));
  routes.event('reaction_removed', (args) => countHelpfulReaction(deps, 'reaction_removed', args));
  routes.event('message', (args) => keepThreadReply(deps, args));
  // Message shortcut "Mark as helpful answer" on a reply in a struggle's thread.
  routes.shortcut(IDS.helpfulShortcut, (args) => markHelpfulByShortcut(deps, args));
}

/** A member's :bulb: on a reply in a struggle's thread counts it helpful; removing it uncounts. */
async function countHelpfulReaction(
  { ctx, log }: Deps,
  type: 'reaction_added' | 'reaction_removed',
  { event, body }: EventArgs<'reaction_added' | 'reaction_removed'>,
): Promise<void> {
  const parsed = reaction.safeParse(event);
  if (!parsed.success || parsed.data.reaction.split('::')[0] !== HELPFUL) return;
  const { user, item } = parsed.data;
  // Without Slack's event id, the reaction's own timestamp: never who reacted (a helpful mark is anonymous).
  const eventId =
    'event_id' in body
      ? String(body.event_id)
      : `${type}:${item.channel}:${item.ts}:${parsed.data.event_ts ?? randomUUID()}`;
  const counted = await service.applyHelpfulReaction(ctx.db, {
    eventId,
    channelId: item.channel,
    ts: item.ts,
    added: type === 'reaction_added',
    isMember: (copId) => ctx.community.isMember(copId, user),
  });
  if (counted) log.info(`a helpful mark was ${type === 'reaction_added' ? 'added' : 'removed'}`);
}

/** Members' replies in a struggle's thread are kept for search, edited and deleted as in Slack. */
async function keepThreadReply({ ctx, log }: Deps, { event }: EventArgs<'message'>): Promise<void> {
  const now = ctx.clock.now();
  const deleted = deletedMessage.safeParse(event);
  if (deleted.success) return service.messageDeleted(ctx.db, deleted.data.channel, deleted.data.deleted_ts, now);
  const changed = changedMessage.safeParse(event);
  if (changed.success) {
    const { channel, message } = changed.data;
    return service.messageEdited(ctx.db, channel, message.ts, message.text);
  }
  const parsed = plainMessage.safeParse(event);
  if (!parsed.success) return;
  const m = parsed.data;
  // Top-level messages and the bot's own posts (our anonymous replies, stored when posted) are not member replies.
  if (m.bot_id || m.thread_ts === m.ts) return;
  const stored = await service.recordThreadReply(ctx.db, {
    channelId: m.channel,
    threadTs: m.thread_ts,
    ts: m.ts,
    userId: m.user,
    text: m.text,
    now,
  });
  if (stored) log.debug('a thread reply on a struggle was stored');
}

async function markHelpfulByShortcut({ ctx, log }: Deps, { ack, shortcut, respond }: ShortcutArgs): Promise<void> {
  await ack();
  const parsed = messageShortcut.safeParse(shortcut);
  if (!parsed.success) return;
  const { user, channel, message } = parsed.data;
  const say = async (text: string): Promise<void> => void (await respond({ response_type: 'ephemeral', text }));
  const reply = await service.replyMarkedByShortcut(
    ctx.db,
    {
      channelId: channel.id,
      ts: message.ts,
      threadTs: message.thread_ts,
      userId: message.user,
      isBot: Boolean(message.bot_id),
      text: message.text,
    },
    ctx.clock.now(),
  );
  if (!reply) return say('That is not a reply to a practice struggle.');
  if (!(await ctx.community.isMember(reply.cop_id, user.id))) return say(NOT_A_MEMBER);
  await service.markHelpful(ctx.db, reply.id);
  log.info('a reply was marked helpful with the shortcut');
  await say(':bulb: Marked as a helpful answer. It will show in `/cop search` results for this struggle.');
}
