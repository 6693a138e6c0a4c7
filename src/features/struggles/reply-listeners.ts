import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import type { Capabilities } from './capability';
import * as repo from './repository';
import { normaliseInput, validateReply } from './rules';
import * as service from './service';
import {
  blockActions,
  describeFailure,
  inputValue,
  metadata,
  POST_OPTIONS,
  refusal,
  retract,
  formUpdater,
  slackError,
  tell,
  tryLater,
  viewSubmission,
} from './slack-io';
import type { ReplyRow, StruggleRow } from './tables';
import * as views from './views';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { SlackRoutes } from '../../slack/routes';

/**
 * Anonymous replies from the post, and the author's follow-ups and resolution from their DM.
 * The author is recognised only by the capability token their DM carries; user IDs are used
 * to check membership and nothing else.
 */
export function registerReplyListeners(routes: SlackRoutes, ctx: FeatureContext, caps: Capabilities): void {
  const log = ctx.logger.child('struggles');

  /**
   * A button in the author's DM: the token it carries is the only proof of authorship. The
   * handler runs once the token is genuine, the struggle still shown and the clicker a member.
   */
  const onAuthorClick = (
    actionId: string,
    handle: (click: {
      struggle: StruggleRow;
      token: string;
      tellUser: (text: string) => Promise<unknown>;
      client: WebClient;
      triggerId: string;
      respond: RespondFn | undefined;
    }) => Promise<unknown>,
  ) =>
    routes.action(actionId, async ({ ack, body, client, respond }) => {
      await ack();
      const parsed = blockActions.safeParse(body);
      if (!parsed.success) return;
      const { user, trigger_id, actions } = parsed.data;
      const tellUser = (text: string) => tell(client, respond, trigger_id, text);
      const token = actions[0]!.value ?? '';
      const id = caps.verify(token);
      if (id === undefined) return tellUser(views.BAD_TOKEN);
      const struggle = await service.findVisibleStruggle(ctx.db, id);
      if (!struggle) return tellUser(views.NOT_FOUND);
      if (!(await ctx.community.isMember(struggle.cop_id, user.id))) return tellUser(NOT_A_MEMBER);
      await handle({ struggle, token, tellUser, client, triggerId: trigger_id, respond });
    });

  // "Reply anonymously" on a struggle post.
  routes.action(views.IDS.reply, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions } = parsed.data;
    const struggle = await service.findVisibleStruggle(ctx.db, Number(actions[0]!.value) || 0);
    if (!struggle) return tell(client, respond, trigger_id, views.NOT_FOUND);
    if (!(await ctx.community.isMember(struggle.cop_id, user.id)))
      return tell(client, respond, trigger_id, NOT_A_MEMBER);
    await client.views.open({ trigger_id, view: views.replyModal(struggle) });
  });

  // "Follow up anonymously" in the author's DM.
  onAuthorClick(views.IDS.followUp, ({ struggle, token, client, triggerId }) =>
    client.views.open({ trigger_id: triggerId, view: views.followUpModal(struggle, token) }),
  );

  const replySchema = z.object({ struggleId: z.number().int() });
  const followUpSchema = z.object({ token: z.string() });

  for (const kind of ['anonymous', 'original_poster'] as const) {
    const callbackId = kind === 'anonymous' ? views.IDS.replySubmit : views.IDS.followUpSubmit;
    onViewSubmission(routes, callbackId, async ({ ack, body, client }) => {
      const parsed = viewSubmission.safeParse(body);
      if (!parsed.success) {
        await ack({ response_action: 'errors', errors: { reply: 'This form is out of date; please open it again.' } });
        return;
      }
      const { user, view } = parsed.data;
      let struggleId: number | undefined;
      let token: string | undefined;
      if (kind === 'anonymous') {
        struggleId = metadata(view, replySchema)?.struggleId;
      } else {
        token = metadata(view, followUpSchema)?.token;
        struggleId = caps.verify(token);
        if (struggleId === undefined) {
          await ack({ response_action: 'errors', errors: { reply: views.BAD_TOKEN } });
          return;
        }
      }
      const text = normaliseInput({ text: inputValue(view, 'reply') }).text;
      const invalid = validateReply(text);
      if (invalid) {
        await ack({ response_action: 'errors', errors: { reply: invalid } });
        return;
      }
      const struggle = struggleId ? await service.findVisibleStruggle(ctx.db, struggleId) : undefined;
      if (!struggle) {
        await ack({ response_action: 'errors', errors: { reply: views.NOT_FOUND } });
        return;
      }
      if (!(await ctx.community.isMember(struggle.cop_id, user.id))) {
        await ack({ response_action: 'errors', errors: { reply: NOT_A_MEMBER } });
        return;
      }
      const now = ctx.clock.now();
      const budget = await service.replyBudget(ctx.db, struggle.cop_id, now);
      if (!budget.allowed) {
        await ack({ response_action: 'errors', errors: { reply: tryLater('replies', budget.retryAt, now) } });
        return;
      }
      await ack({ response_action: 'update', view: views.progressView('Posting…', 'Posting in the thread…') });

      const again = (notice: string) =>
        kind === 'anonymous'
          ? views.replyModal(struggle, text, notice)
          : views.followUpModal(struggle, token!, text, notice);
      const showForm = formUpdater(client, view.id, log, 'a reply form');
      let outcome: service.ShareOutcome<ReplyRow>;
      try {
        outcome = await service.shareReply(
          ctx.db,
          { struggle, kind, text, now },
          async (row) => {
            const posted = await client.chat.postMessage({
              channel: struggle.channel_id,
              thread_ts: struggle.message_ts!,
              ...views.anonymousReply(kind, row.id, text),
              ...POST_OPTIONS,
            });
            if (!posted.ts) throw new Error('Slack returned no message ts');
            return { ts: posted.ts };
          },
          (ts) => retract(client, struggle.channel_id, ts),
        );
      } catch (error) {
        log.warn(`an anonymous reply on struggle ${struggle.id} was not posted: ${describeFailure(error)}`);
        await showForm(again(refusal('reply', error)));
        return;
      }
      if (outcome.status === 'rate_limited') {
        await showForm(again(tryLater('replies', outcome.retryAt, now)));
        return;
      }
      log.info(`${kind === 'anonymous' ? 'anonymous reply' : 'follow-up'} posted on struggle ${struggle.id}`);
      await showForm(views.replyPostedView(struggle.permalink, struggle.channel_id, kind));
    });
  }

  // "Mark resolved" in the author's DM.
  onAuthorClick(views.IDS.resolve, async ({ struggle, token, tellUser, client, respond }) => {
    const resolved = await repo.resolveStruggle(ctx.db, struggle.id, ctx.clock.now());
    if (!resolved) return tellUser('It is already marked resolved.');
    log.info(`struggle ${struggle.id} marked resolved by its author`);
    try {
      await client.chat.update({
        channel: resolved.channel_id,
        ts: resolved.message_ts!,
        ...views.strugglePost(resolved),
      });
    } catch (error) {
      log.warn(`the post of struggle ${resolved.id} could not show it is resolved: ${slackError(error)}`);
    }
    if (respond) await respond({ replace_original: true, ...views.authorDm(resolved, token, true) });
  });
}
