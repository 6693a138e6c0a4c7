import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import * as repo from './repository';
import * as replies from './replies-repository';
import { normaliseInput } from './rules';
import { blockActions, inputValue, metadata, slackError, tell, viewSubmission } from './slack-io';
import * as mviews from './moderation-views';
import * as views from './views';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { SlackRoutes } from '../../slack/routes';
import { postOnce } from '../../slack/post';

const target = z.object({ target: z.enum(['post', 'reply']), id: z.number().int() });
type Target = z.infer<typeof target>;

/** The struggle (and reply) a post/reply target names, with where its message is. */
async function locate(ctx: FeatureContext, t: Target) {
  if (t.target === 'post') {
    const struggle = await repo.findStruggle(ctx.db, t.id);
    if (!struggle?.message_ts) return undefined;
    return { struggle, reply: undefined, ts: struggle.message_ts, hidden: struggle.hidden_at !== null };
  }
  const reply = await replies.findReply(ctx.db, t.id);
  const struggle = reply ? await repo.findStruggle(ctx.db, reply.struggle_id) : undefined;
  if (!reply?.message_ts || !struggle) return undefined;
  return { struggle, reply, ts: reply.message_ts, hidden: reply.hidden_at !== null || struggle.hidden_at !== null };
}

export const NOT_A_COORDINATOR_HIDE = `${NOT_A_COORDINATOR} Hiding a post is for coordinators; to flag it to them, choose *Report to coordinators* in its ⋮ menu.`;

const HIDDEN_NOW = 'Hidden: the message now shows a short notice and is left out of search.';
const NOT_ANONYMOUS =
  'Only the bot’s anonymous posts and replies can be hidden this way. For a member’s own message, ask them or a workspace admin.';

const hideShortcut = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: z.string() }),
});

/** The anonymous post or reply a message is, if it is one of the bot's. */
async function targetOfMessage(ctx: FeatureContext, channelId: string, ts: string): Promise<Target | undefined> {
  const struggle = await repo.findStruggleByMessage(ctx.db, channelId, ts);
  if (struggle) return { target: 'post', id: struggle.id };
  const reply = await replies.findReplyByMessage(ctx.db, channelId, ts);
  return reply && reply.kind !== 'member' ? { target: 'reply', id: reply.id } : undefined;
}

/**
 * Hides a post or reply for a coordinator of its CoP; what to tell them. The role is checked
 * here, whichever control the request came from.
 */
async function hide(ctx: FeatureContext, client: WebClient, what: Target, userId: string): Promise<string> {
  const found = await locate(ctx, what);
  if (!found || found.hidden) return views.NOT_FOUND;
  const copId = found.struggle.cop_id;
  if (!(await ctx.community.isCoordinator(copId, userId))) return NOT_A_COORDINATOR_HIDE;
  const now = ctx.clock.now();
  const hidden =
    what.target === 'post'
      ? await repo.hideStruggle(ctx.db, what.id, now)
      : await replies.hideReply(ctx.db, what.id, now);
  if (!hidden) return 'It is already hidden.';
  await client.chat.update({
    channel: found.struggle.channel_id,
    ts: found.ts,
    ...(what.target === 'post' ? views.HIDDEN_POST : views.HIDDEN_REPLY),
  });
  ctx.logger
    .child('struggles')
    .info(`a coordinator hid ${what.target === 'post' ? 'struggle' : 'reply'} ${what.id} in cop ${copId}`);
  return HIDDEN_NOW;
}

/**
 * Anyone reports a post or reply privately (its ⋮ menu). Coordinators hide one with the
 * "Hide (coordinators)" message shortcut, or the button in a report sent to them: the public
 * post carries no control most members cannot use.
 */
export function registerModeration(routes: SlackRoutes, ctx: FeatureContext): void {
  const log = ctx.logger.child('struggles');

  routes.action(views.IDS.manage, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions } = parsed.data;
    const match = /^(report|hide):(post|reply):(\d+)$/.exec(actions[0]!.selected_option?.value ?? '');
    if (!match) return;
    const what = { target: match[2] as Target['target'], id: Number(match[3]) };
    // Posts from before the shortcut still offer "Hide" in this menu; the role decides as ever.
    if (match[1] === 'hide') return tell(client, respond, trigger_id, await hide(ctx, client, what, user.id));
    const found = await locate(ctx, what);
    if (!found || found.hidden) return tell(client, respond, trigger_id, views.NOT_FOUND);
    if (!(await ctx.community.isMember(found.struggle.cop_id, user.id))) {
      return tell(client, respond, trigger_id, NOT_A_MEMBER);
    }
    await client.views.open({ trigger_id, view: mviews.reportModal(what.target, what.id) });
  });

  // The message shortcut, on the post or reply itself.
  routes.shortcut(views.IDS.hideShortcut, async ({ ack, shortcut, client, respond }) => {
    await ack();
    const parsed = hideShortcut.safeParse(shortcut);
    if (!parsed.success) return;
    const { user, channel, message } = parsed.data;
    const what = await targetOfMessage(ctx, channel.id, message.ts);
    const text = what ? await hide(ctx, client, what, user.id) : NOT_ANONYMOUS;
    await respond({ response_type: 'ephemeral', text });
  });

  // "Hide it" in a report a coordinator received.
  routes.action(views.IDS.hide, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const match = /^(post|reply):(\d+)$/.exec(parsed.data.actions[0]!.value ?? '');
    if (!match) return;
    const what = { target: match[1] as Target['target'], id: Number(match[2]) };
    const text = await hide(ctx, client, what, parsed.data.user.id);
    await tell(client, respond, parsed.data.trigger_id, text);
  });

  onViewSubmission(routes, views.IDS.reportSubmit, async ({ ack, body, client }) => {
    const parsed = viewSubmission.safeParse(body);
    const what = parsed.success ? metadata(parsed.data.view, target) : undefined;
    const found = what ? await locate(ctx, what) : undefined;
    if (!parsed.success || !what || !found || found.hidden) {
      await ack({ response_action: 'errors', errors: { reason: views.NOT_FOUND } });
      return;
    }
    const { user, view } = parsed.data;
    const copId = found.struggle.cop_id;
    if (!(await ctx.community.isMember(copId, user.id))) {
      await ack({ response_action: 'errors', errors: { reason: NOT_A_MEMBER } });
      return;
    }
    const coordinators = await ctx.community.coordinatorIds(copId);
    await ack({ response_action: 'update', view: mviews.reportSentView(coordinators.length) });

    const channelId = found.struggle.channel_id;
    let permalink = found.reply ? null : found.struggle.permalink;
    if (!permalink) {
      permalink = await client.chat
        .getPermalink({ channel: channelId, message_ts: found.ts })
        .then((r) => r.permalink ?? null)
        .catch(() => null);
    }
    const reason = normaliseInput({ text: inputValue(view, 'reason') }).text.slice(0, 1000);
    const message = mviews.reportDm({ reporterId: user.id, target: what, permalink, channelId, reason });
    // Sent directly, not queued: a report is only useful now, and the outbox would keep the reporter's name.
    let sent = 0;
    for (const coordinator of coordinators) {
      try {
        await postOnce(client, { channel: coordinator, ...message, unfurl_links: false });
        sent += 1;
      } catch (error) {
        log.warn(`a report DM to a coordinator of cop ${copId} failed: ${slackError(error)}`);
      }
    }
    log.info(`a ${what.target} in cop ${copId} was reported to ${sent} coordinators`);
  });
}
