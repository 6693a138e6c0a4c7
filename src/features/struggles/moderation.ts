import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppLogger } from '../../logger';
import type { ActionArgs, ShortcutArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import { postOnce } from '../../slack/post';
import type { SlackRoutes } from '../../slack/routes';
import { onViewSubmission } from '../../slack/submission-deadline';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import * as mviews from './moderation-views';
import { normaliseInput } from './rules';
import * as service from './service';
import { blockActions, inputValue, metadata, permalinkOf, slackError, tell, viewSubmission } from './slack-io';
import * as views from './views';

const target = z.object({ target: z.enum(['post', 'reply']), id: z.number().int() });

const hideShortcut = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: z.string() }),
});

export const NOT_A_COORDINATOR_HIDE = `${NOT_A_COORDINATOR} Hiding a post is for coordinators; to flag it to them, choose *Report to coordinators* in its ⋮ menu.`;
const HIDDEN_NOW = 'Hidden: the message now shows a short notice and is left out of search.';
const NOT_ANONYMOUS =
  'Only the bot’s anonymous posts and replies can be hidden this way. For a member’s own message, ask them or a workspace admin.';

interface Deps {
  readonly ctx: FeatureContext;
  readonly log: AppLogger;
}

/**
 * Anyone reports a post or reply privately (its ⋮ menu). Coordinators hide one with the
 * "Hide (coordinators)" message shortcut, or the button in a report sent to them: the public
 * post carries no control most members cannot use.
 */
export function registerModeration(routes: SlackRoutes, ctx: FeatureContext): void {
  const deps: Deps = { ctx, log: ctx.logger.child('struggles') };
  routes.action(views.IDS.manage, (args: ActionArgs) => moderateFromMenu(deps, args));
  routes.shortcut(views.IDS.hideShortcut, (args: ShortcutArgs) => hideFromShortcut(deps, args));
  routes.action(views.IDS.hide, (args: ActionArgs) => hideFromReport(deps, args));
  onViewSubmission(routes, views.IDS.reportSubmit, (args) => sendReport(deps, args));
}

/** The post's or reply's menu: "Report" opens the report form (posts from before the shortcut may still offer "Hide"). */
async function moderateFromMenu(deps: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  const { ctx } = deps;
  await ack();
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return;
  const { user, trigger_id, actions } = parsed.data;
  const say = (text: string) => tell(client, respond, trigger_id, text);
  const match = /^(report|hide):(post|reply):(\d+)$/.exec(actions[0]!.selected_option?.value ?? '');
  if (!match) return;
  const what: service.ModerationTarget = { target: match[2] as 'post' | 'reply', id: Number(match[3]) };
  if (match[1] === 'hide') return say(await hide(deps, client, what, user.id));
  const found = await service.locate(ctx.db, what);
  if (!found || found.hidden) return say(views.NOT_FOUND);
  if (!(await ctx.community.isMember(found.struggle.cop_id, user.id))) return say(NOT_A_MEMBER);
  await client.views.open({ trigger_id, view: mviews.reportModal(what.target, what.id) });
}

/** The "Hide (coordinators)" message shortcut, on the post or reply itself. */
async function hideFromShortcut(deps: Deps, { ack, shortcut, client, respond }: ShortcutArgs): Promise<void> {
  await ack();
  const parsed = hideShortcut.safeParse(shortcut);
  if (!parsed.success) return;
  const { user, channel, message } = parsed.data;
  const what = await service.targetOfMessage(deps.ctx.db, channel.id, message.ts);
  const text = what ? await hide(deps, client, what, user.id) : NOT_ANONYMOUS;
  await respond({ response_type: 'ephemeral', text });
}

/** "Hide it" in a report a coordinator received. */
async function hideFromReport(deps: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return;
  const match = /^(post|reply):(\d+)$/.exec(parsed.data.actions[0]!.value ?? '');
  if (!match) return;
  const what: service.ModerationTarget = { target: match[1] as 'post' | 'reply', id: Number(match[2]) };
  await tell(client, respond, parsed.data.trigger_id, await hide(deps, client, what, parsed.data.user.id));
}

/**
 * Hides a post or reply for a coordinator of its CoP; what to tell them. The role is checked
 * here, whichever control the request came from.
 */
async function hide(
  { ctx, log }: Deps,
  client: WebClient,
  what: service.ModerationTarget,
  userId: string,
): Promise<string> {
  const found = await service.locate(ctx.db, what);
  if (!found || found.hidden) return views.NOT_FOUND;
  const copId = found.struggle.cop_id;
  if (!(await ctx.community.isCoordinator(copId, userId))) return NOT_A_COORDINATOR_HIDE;
  if (!(await service.hide(ctx.db, what, ctx.clock.now()))) return 'It is already hidden.';
  await client.chat.update({
    channel: found.struggle.channel_id,
    ts: found.ts,
    ...(what.target === 'post' ? views.HIDDEN_POST : views.HIDDEN_REPLY),
  });
  log.info(`a coordinator hid ${what.target === 'post' ? 'struggle' : 'reply'} ${what.id} in cop ${copId}`);
  return HIDDEN_NOW;
}

/** The report form: checked, closed with how many coordinators it goes to, then sent to each. */
async function sendReport(deps: Deps, { ack, body, client }: ViewSubmissionArgs): Promise<void> {
  const { ctx } = deps;
  const parsed = viewSubmission.safeParse(body);
  const what = parsed.success ? metadata(parsed.data.view, target) : undefined;
  const found = what ? await service.locate(ctx.db, what) : undefined;
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
  const permalink = (found.reply ? null : found.struggle.permalink) ?? (await permalinkOf(client, channelId, found.ts));
  const reason = normaliseInput({ text: inputValue(view, 'reason') }).text.slice(0, 1000);
  const message = mviews.reportDm({ reporterId: user.id, target: what, permalink, channelId, reason });
  const sent = await tellCoordinators(deps, client, copId, coordinators, message);
  deps.log.info(`a ${what.target} in cop ${copId} was reported to ${sent} coordinators`);
}

/** Sent directly, not queued: a report is only useful now, and the outbox would keep the reporter's name. */
async function tellCoordinators(
  { log }: Deps,
  client: WebClient,
  copId: number,
  coordinators: string[],
  message: ReturnType<typeof mviews.reportDm>,
): Promise<number> {
  let sent = 0;
  for (const coordinator of coordinators) {
    try {
      await postOnce(client, { channel: coordinator, ...message, unfurl_links: false });
      sent += 1;
    } catch (error) {
      log.warn(`a report DM to a coordinator of cop ${copId} failed: ${slackError(error)}`);
    }
  }
  return sent;
}
