import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import type { Capabilities } from './capability';
import { normaliseInput, validateStruggle } from './rules';
import * as service from './service';
import {
  blockActions,
  describeFailure,
  inputValue,
  metadata,
  permalinkOf,
  POST_OPTIONS,
  refusal,
  retract,
  formUpdater,
  slackError,
  tell,
  tryLater,
  viewSubmission,
} from './slack-io';
import type { StruggleRow } from './tables';
import * as views from './views';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { SlackRoutes } from '../../slack/routes';

/** Opens the struggle form for a CoP (from `/cop struggle`, the App Home or help). */
export async function openStruggleForm(client: WebClient, triggerId: string, copId: number, text = '') {
  await client.views.open({ trigger_id: triggerId, view: views.struggleModal(copId, { text }) });
}

/**
 * Opening the form and posting a struggle. Nothing here logs, stores or posts the user ID of
 * whoever submits; it is used only to check membership and to address the author's own DM.
 */
export function registerPostingListeners(routes: SlackRoutes, ctx: FeatureContext, caps: Capabilities): void {
  const log = ctx.logger.child('struggles');

  // "Share a struggle anonymously" (App Home, help).
  routes.action(views.IDS.open, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions, channel, team } = parsed.data;
    const fromValue = Number(actions[0]!.value);
    let cop = Number.isInteger(fromValue) && fromValue > 0 ? await ctx.community.copById(fromValue) : undefined;
    if (!cop && channel && team) cop = await ctx.community.copOfChannel(team.id, channel.id);
    if (!cop) {
      const mine = await ctx.community.copsOf(user.id);
      cop = mine.length === 1 ? mine[0] : undefined;
    }
    if (!cop || !(await ctx.community.isMember(cop.id, user.id))) {
      await tell(client, respond, trigger_id, cop ? NOT_A_MEMBER : 'Run `/cop struggle` in your CoP’s channel.');
      return;
    }
    await openStruggleForm(client, trigger_id, cop.id);
  });

  onViewSubmission(routes, views.IDS.post, async ({ ack, body, client }) => {
    const parsed = viewSubmission.safeParse(body);
    const meta = parsed.success ? metadata(parsed.data.view, z.object({ copId: z.number().int() })) : undefined;
    if (!parsed.success || !meta) {
      await ack({ response_action: 'errors', errors: { text: 'This form is out of date; please open it again.' } });
      return;
    }
    const { user, view } = parsed.data;
    const input = normaliseInput({
      text: inputValue(view, 'text'),
      tags: inputValue(view, 'tags'),
      tried: inputValue(view, 'tried'),
    });
    const errors = validateStruggle(input);
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const cop = await ctx.community.copById(meta.copId);
    if (!cop || !(await ctx.community.isMember(cop.id, user.id))) {
      await ack({ response_action: 'errors', errors: { text: NOT_A_MEMBER } });
      return;
    }
    const now = ctx.clock.now();
    const budget = await service.struggleBudget(ctx.db, cop.id, now);
    if (!budget.allowed) {
      await ack({ response_action: 'errors', errors: { text: tryLater('struggles', budget.retryAt, now) } });
      return;
    }
    // Close the form's spinner at once; the post's outcome replaces this view.
    await ack({
      response_action: 'update',
      view: views.progressView('Sharing…', 'Posting your struggle anonymously…'),
    });

    const showForm = formUpdater(client, view.id, log, 'a struggle form');

    let outcome: service.ShareOutcome<StruggleRow>;
    try {
      outcome = await service.shareStruggle(
        ctx.db,
        { copId: cop.id, channelId: cop.channel_id, struggle: input, now },
        async (row) => {
          const posted = await client.chat.postMessage({
            channel: cop.channel_id,
            ...views.strugglePost(row),
            ...POST_OPTIONS,
          });
          if (!posted.ts) throw new Error('Slack returned no message ts');
          return { ts: posted.ts, permalink: await permalinkOf(client, cop.channel_id, posted.ts) };
        },
        (ts) => retract(client, cop.channel_id, ts),
      );
    } catch (error) {
      log.warn(`an anonymous struggle was not posted in cop ${cop.id}: ${describeFailure(error)}`);
      await showForm(views.struggleModal(cop.id, input, refusal('post', error)));
      return;
    }
    if (outcome.status === 'rate_limited') {
      await showForm(views.struggleModal(cop.id, input, tryLater('struggles', outcome.retryAt, now)));
      return;
    }
    const struggle = outcome.row;
    log.info(`struggle ${struggle.id} shared anonymously in cop ${cop.id}`);
    // The author's rights go to them directly: never through the outbox, which names recipients.
    let dmSent = true;
    try {
      await client.chat.postMessage({
        channel: user.id,
        ...views.authorDm(struggle, caps.issue(struggle.id)),
        ...POST_OPTIONS,
      });
    } catch (error) {
      dmSent = false;
      log.warn(`the author's DM for struggle ${struggle.id} could not be sent: ${slackError(error)}`);
    }
    await showForm(views.sharedView(struggle.permalink, struggle.channel_id, dmSent));
  });
}
