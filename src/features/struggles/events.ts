import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import * as repo from './repository';
import * as replies from './replies-repository';
import * as service from './service';
import { IDS } from './views';
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

/** Thread replies kept for search, and members' marks of helpful answers. */
export function registerThreadEvents(routes: SlackRoutes, ctx: FeatureContext): void {
  const log = ctx.logger.child('struggles');

  for (const type of ['reaction_added', 'reaction_removed'] as const) {
    routes.event(type, async ({ event, body }) => {
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
    });
  }

  routes.event('message', async ({ event }) => {
    const now = ctx.clock.now();
    const deleted = deletedMessage.safeParse(event);
    if (deleted.success) {
      const { channel, deleted_ts } = deleted.data;
      const reply = await replies.findReplyByMessage(ctx.db, channel, deleted_ts);
      if (reply) await replies.deleteReply(ctx.db, reply.id);
      const struggle = await repo.findStruggleByMessage(ctx.db, channel, deleted_ts);
      if (struggle) await repo.hideStruggle(ctx.db, struggle.id, now);
      return;
    }
    const changed = changedMessage.safeParse(event);
    if (changed.success) {
      const { channel, message } = changed.data;
      const reply = await replies.findReplyByMessage(ctx.db, channel, message.ts);
      if (reply) await replies.updateMemberReplyText(ctx.db, reply.id, message.text);
      return;
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
  });

  // Message shortcut "Mark as helpful answer" on a reply in a struggle's thread.
  routes.shortcut(IDS.helpfulShortcut, async ({ ack, shortcut, respond }) => {
    await ack();
    const parsed = messageShortcut.safeParse(shortcut);
    if (!parsed.success) return;
    const { user, channel, message } = parsed.data;
    const say = async (text: string): Promise<void> => void (await respond({ response_type: 'ephemeral', text }));
    let reply = await replies.findReplyByMessage(ctx.db, channel.id, message.ts);
    if (!reply && message.thread_ts && message.thread_ts !== message.ts && message.user && !message.bot_id) {
      // A reply we missed (say, sent while the bot was down): keep it now.
      await service.recordThreadReply(ctx.db, {
        channelId: channel.id,
        threadTs: message.thread_ts,
        ts: message.ts,
        userId: message.user,
        text: message.text,
        now: ctx.clock.now(),
      });
      reply = await replies.findReplyByMessage(ctx.db, channel.id, message.ts);
    }
    if (!reply || reply.hidden_at) return say('That is not a reply to a practice struggle.');
    if (!(await ctx.community.isMember(reply.cop_id, user.id))) return say(NOT_A_MEMBER);
    await replies.markHelpful(ctx.db, reply.id);
    log.info('a reply was marked helpful with the shortcut');
    await say(':bulb: Marked as a helpful answer. It will show in `/cop search` results for this struggle.');
  });
}
