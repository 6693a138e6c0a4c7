import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { NOT_A_MEMBER } from '../../slack/cop-command';
import { findCopByChannel, findCopById, findCopsOfMember, isMember } from '../community/repository';
import type { FeatureContext } from '../types';
import type { Capabilities } from './capability';
import * as repo from './repository';
import { minutesUntil, normaliseInput, validateReply, validateStruggle } from './rules';
import * as service from './service';
import type { ReplyRow, StruggleRow } from './repository';
import { blockActions, inputValue, metadata, slackError, tell, viewSubmission } from './slack-io';
import * as views from './views';

const POST_OPTIONS = { unfurl_links: false, unfurl_media: false } as const;

const tryLater = (what: string, retryAt: Date, now: Date) =>
  `This CoP has shared as many anonymous ${what} as it can for this hour. Please try again in about ${minutesUntil(retryAt, now)} minutes.`;

/** Takes back a post whose record could not be kept, so nothing stays half-posted. */
async function retract(client: WebClient, channel: string, ts: string): Promise<void> {
  await client.chat.delete({ channel, ts });
}

/** Whether Slack refused (it says why) or something failed on our side. */
function isSlackRefusal(error: unknown): boolean {
  return slackError(error) !== 'no answer';
}

function describeFailure(error: unknown): string {
  return isSlackRefusal(error) ? slackError(error) : error instanceof Error ? error.message : 'unknown error';
}

function refusal(what: 'post' | 'reply', error: unknown): string {
  return isSlackRefusal(error)
    ? `Slack did not accept the ${what} (${slackError(error)}), so nothing was shared or saved. You can try again.`
    : `Something went wrong on our side, so nothing was shared or saved. You can try again.`;
}

async function permalinkOf(client: WebClient, channel: string, ts: string): Promise<string | null> {
  try {
    return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
  } catch {
    return null;
  }
}

/** Opens the struggle form for a CoP (from `/cop struggle`, the App Home or help). */
export async function openStruggleForm(client: WebClient, triggerId: string, copId: number, text = '') {
  await client.views.open({ trigger_id: triggerId, view: views.struggleModal(copId, { text }) });
}

/**
 * Posting a struggle, anonymous replies and the author's follow-ups and resolution. Nothing
 * here logs, stores or posts the user ID of whoever submits; it is used only to check
 * membership and to address the author's own DM.
 */
export function registerPostingListeners(app: App, ctx: FeatureContext, caps: Capabilities): void {
  const log = ctx.logger.child('struggles');

  // "Share a struggle anonymously" (App Home, help).
  app.action(views.IDS.open, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions, channel, team } = parsed.data;
    const fromValue = Number(actions[0]!.value);
    let cop = Number.isInteger(fromValue) && fromValue > 0 ? await findCopById(ctx.db, fromValue) : undefined;
    if (!cop && channel && team) cop = await findCopByChannel(ctx.db, team.id, channel.id);
    if (!cop) {
      const mine = await findCopsOfMember(ctx.db, user.id);
      cop = mine.length === 1 ? mine[0] : undefined;
    }
    if (!cop || !(await isMember(ctx.db, cop.id, user.id))) {
      await tell(client, respond, trigger_id, cop ? NOT_A_MEMBER : 'Run `/cop struggle` in your CoP’s channel.');
      return;
    }
    await openStruggleForm(client, trigger_id, cop.id);
  });

  app.view(views.IDS.post, async ({ ack, body, client }) => {
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
    const cop = await findCopById(ctx.db, meta.copId);
    if (!cop || !(await isMember(ctx.db, cop.id, user.id))) {
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

    // The form may be gone by now (closed, expired); the post's outcome does not depend on it.
    const showForm = (next: ModalView) =>
      client.views
        .update({ view_id: view.id, view: next })
        .then(() => undefined)
        .catch((error: unknown) => log.warn(`a struggle form could not be updated: ${slackError(error)}`));

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

  // "Reply anonymously" on a struggle post.
  app.action(views.IDS.reply, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions } = parsed.data;
    const struggle = await service.findVisibleStruggle(ctx.db, Number(actions[0]!.value) || 0);
    if (!struggle) return tell(client, respond, trigger_id, views.NOT_FOUND);
    if (!(await isMember(ctx.db, struggle.cop_id, user.id))) return tell(client, respond, trigger_id, NOT_A_MEMBER);
    await client.views.open({ trigger_id, view: views.replyModal(struggle) });
  });

  // "Follow up anonymously" in the author's DM: the token is the proof of authorship.
  app.action(views.IDS.followUp, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions } = parsed.data;
    const token = actions[0]!.value ?? '';
    const id = caps.verify(token);
    if (id === undefined) return tell(client, respond, trigger_id, views.BAD_TOKEN);
    const struggle = await service.findVisibleStruggle(ctx.db, id);
    if (!struggle) return tell(client, respond, trigger_id, views.NOT_FOUND);
    if (!(await isMember(ctx.db, struggle.cop_id, user.id))) return tell(client, respond, trigger_id, NOT_A_MEMBER);
    await client.views.open({ trigger_id, view: views.followUpModal(struggle, token) });
  });

  const replySchema = z.object({ struggleId: z.number().int() });
  const followUpSchema = z.object({ token: z.string() });

  for (const kind of ['anonymous', 'original_poster'] as const) {
    const callbackId = kind === 'anonymous' ? views.IDS.replySubmit : views.IDS.followUpSubmit;
    app.view(callbackId, async ({ ack, body, client }) => {
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
      if (!(await isMember(ctx.db, struggle.cop_id, user.id))) {
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
      const showForm = (next: ModalView) =>
        client.views
          .update({ view_id: view.id, view: next })
          .then(() => undefined)
          .catch((error: unknown) => log.warn(`a reply form could not be updated: ${slackError(error)}`));
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
  app.action(views.IDS.resolve, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActions.safeParse(body);
    if (!parsed.success) return;
    const { user, trigger_id, actions } = parsed.data;
    const token = actions[0]!.value ?? '';
    const id = caps.verify(token);
    if (id === undefined) return tell(client, respond, trigger_id, views.BAD_TOKEN);
    const struggle = await service.findVisibleStruggle(ctx.db, id);
    if (!struggle) return tell(client, respond, trigger_id, views.NOT_FOUND);
    if (!(await isMember(ctx.db, struggle.cop_id, user.id))) return tell(client, respond, trigger_id, NOT_A_MEMBER);
    const resolved = await repo.resolveStruggle(ctx.db, struggle.id, ctx.clock.now());
    if (!resolved) return tell(client, respond, trigger_id, 'It is already marked resolved.');
    log.info(`struggle ${struggle.id} marked resolved by its author`);
    await client.chat.update({
      channel: resolved.channel_id,
      ts: resolved.message_ts!,
      ...views.strugglePost(resolved),
    });
    if (respond) await respond({ replace_original: true, ...views.authorDm(resolved, token, true) });
  });
}
