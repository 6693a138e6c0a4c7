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

/** Coordinators hide posts and anonymous replies; anyone reports them privately. */
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
    const found = await locate(ctx, what);
    if (!found || found.hidden) return tell(client, respond, trigger_id, views.NOT_FOUND);
    const copId = found.struggle.cop_id;

    if (match[1] === 'report') {
      if (!(await ctx.community.isMember(copId, user.id))) return tell(client, respond, trigger_id, NOT_A_MEMBER);
      await client.views.open({ trigger_id, view: mviews.reportModal(what.target, what.id) });
      return;
    }
    // Hiding is the coordinators' alone, checked here whatever the menu showed.
    if (!(await ctx.community.isCoordinator(copId, user.id)))
      return tell(client, respond, trigger_id, NOT_A_COORDINATOR);
    const now = ctx.clock.now();
    const hidden =
      what.target === 'post'
        ? await repo.hideStruggle(ctx.db, what.id, now)
        : await replies.hideReply(ctx.db, what.id, now);
    if (!hidden) return tell(client, respond, trigger_id, 'It is already hidden.');
    await client.chat.update({
      channel: found.struggle.channel_id,
      ts: found.ts,
      ...(what.target === 'post' ? views.HIDDEN_POST : views.HIDDEN_REPLY),
    });
    log.info(`a coordinator hid ${what.target === 'post' ? 'struggle' : 'reply'} ${what.id} in cop ${copId}`);
    await tell(client, respond, trigger_id, 'Hidden: the message now shows a short notice and is left out of search.');
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
    const message = mviews.reportDm({ reporterId: user.id, target: what.target, permalink, channelId, reason });
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
