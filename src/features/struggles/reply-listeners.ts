import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppLogger } from '../../logger';
import type { ActionArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import type { SlackRoutes } from '../../slack/routes';
import { onViewSubmission } from '../../slack/submission-deadline';
import { NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import type { Capabilities } from './capability';
import { normaliseInput, validateReply } from './rules';
import * as service from './service';
import {
  blockActions,
  describeFailure,
  formUpdater,
  inputValue,
  metadata,
  POST_OPTIONS,
  refusal,
  retract,
  slackError,
  tell,
  tryLater,
  viewSubmission,
  type ViewSubmission,
} from './slack-io';
import type { ReplyRow, StruggleRow } from './tables';
import * as views from './views';
import { postOnce } from '../../slack/post';

/** Who a reply from a form is from: anyone, anonymously, or the struggle's author. */
type FormReplyKind = 'anonymous' | 'original_poster';

interface Deps {
  readonly ctx: FeatureContext;
  readonly caps: Capabilities;
  readonly log: AppLogger;
}

/** A click on a button of the author's DM, once its token proved authorship. */
interface AuthorClick {
  readonly struggle: StruggleRow;
  readonly token: string;
  readonly tellUser: (text: string) => Promise<unknown>;
  readonly client: WebClient;
  readonly triggerId: string;
  readonly respond: RespondFn | undefined;
}

/**
 * Anonymous replies from the post, and the author's follow-ups and resolution from their DM.
 * The author is recognised only by the capability token their DM carries; user IDs are used
 * to check membership and nothing else.
 */
export function registerReplyListeners(routes: SlackRoutes, ctx: FeatureContext, caps: Capabilities): void {
  const deps: Deps = { ctx, caps, log: ctx.logger.child('struggles') };
  // "Reply anonymously" on a struggle post.
  routes.action(views.IDS.reply, (args: ActionArgs) => openReplyForm(deps, args));
  onViewSubmission(routes, views.IDS.replySubmit, (args) => postReplyFromForm(deps, 'anonymous', args));
  // "Follow up anonymously" and "Mark resolved", in the author's DM.
  routes.action(views.IDS.followUp, (args: ActionArgs) => asAuthor(deps, args, openFollowUpForm));
  onViewSubmission(routes, views.IDS.followUpSubmit, (args) => postReplyFromForm(deps, 'original_poster', args));
  routes.action(views.IDS.resolve, (args: ActionArgs) => asAuthor(deps, args, (click) => markResolved(deps, click)));
}

async function openReplyForm({ ctx }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return;
  const { user, trigger_id, actions } = parsed.data;
  const struggle = await service.findVisibleStruggle(ctx.db, Number(actions[0]!.value) || 0);
  if (!struggle) return tell(client, respond, trigger_id, views.NOT_FOUND);
  if (!(await ctx.community.isMember(struggle.cop_id, user.id))) return tell(client, respond, trigger_id, NOT_A_MEMBER);
  await client.views.open({ trigger_id, view: views.replyModal(struggle) });
}

/**
 * A button in the author's DM: the token it carries is the only proof of authorship. `handle`
 * runs once the token is genuine, the struggle still shown and the clicker a member.
 */
async function asAuthor(
  { ctx, caps }: Deps,
  { ack, body, client, respond }: ActionArgs,
  handle: (click: AuthorClick) => Promise<unknown>,
): Promise<void> {
  await ack();
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return;
  const { user, trigger_id, actions } = parsed.data;
  const tellUser = (text: string) => tell(client, respond, trigger_id, text);
  const token = actions[0]!.value ?? '';
  const id = caps.verify(token);
  if (id === undefined) return void (await tellUser(views.BAD_TOKEN));
  const struggle = await service.findVisibleStruggle(ctx.db, id);
  if (!struggle) return void (await tellUser(views.NOT_FOUND));
  if (!(await ctx.community.isMember(struggle.cop_id, user.id))) return void (await tellUser(NOT_A_MEMBER));
  await handle({ struggle, token, tellUser, client, triggerId: trigger_id, respond });
}

function openFollowUpForm({ struggle, token, client, triggerId }: AuthorClick) {
  return client.views.open({ trigger_id: triggerId, view: views.followUpModal(struggle, token) });
}

async function markResolved({ ctx, log }: Deps, { struggle, token, tellUser, client, respond }: AuthorClick) {
  const resolved = await service.resolveStruggle(ctx.db, struggle.id, ctx.clock.now());
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
}

const replySchema = z.object({ struggleId: z.number().int() });
const followUpSchema = z.object({ token: z.string() });

interface ReplyForm {
  readonly struggle: StruggleRow;
  readonly text: string;
  /** The author's token, for a follow-up. */
  readonly token: string | undefined;
  readonly submission: ViewSubmission;
}

/** The form's reply, its struggle and the member's right to reply, or the error to show on the form. */
async function checkReplyForm(
  { ctx, caps }: Deps,
  kind: FormReplyKind,
  body: unknown,
  now: Date,
): Promise<ReplyForm | { error: string }> {
  const parsed = viewSubmission.safeParse(body);
  if (!parsed.success) return { error: 'This form is out of date; please open it again.' };
  const { user, view } = parsed.data;
  const token = kind === 'original_poster' ? metadata(view, followUpSchema)?.token : undefined;
  const struggleId = kind === 'anonymous' ? metadata(view, replySchema)?.struggleId : caps.verify(token);
  if (kind === 'original_poster' && struggleId === undefined) return { error: views.BAD_TOKEN };
  const text = normaliseInput({ text: inputValue(view, 'reply') }).text;
  const invalid = validateReply(text);
  if (invalid) return { error: invalid };
  const struggle = struggleId ? await service.findVisibleStruggle(ctx.db, struggleId) : undefined;
  if (!struggle) return { error: views.NOT_FOUND };
  if (!(await ctx.community.isMember(struggle.cop_id, user.id))) return { error: NOT_A_MEMBER };
  const budget = await service.replyBudget(ctx.db, struggle.cop_id, now);
  if (!budget.allowed) return { error: tryLater('replies', budget.retryAt, now) };
  return { struggle, text, token, submission: parsed.data };
}

/** An anonymous reply, or the author's follow-up, from its form into the struggle's thread. */
async function postReplyFromForm(
  deps: Deps,
  kind: FormReplyKind,
  { ack, body, client }: ViewSubmissionArgs,
): Promise<void> {
  const { ctx, log } = deps;
  const now = ctx.clock.now();
  const form = await checkReplyForm(deps, kind, body, now);
  if ('error' in form) {
    await ack({ response_action: 'errors', errors: { reply: form.error } });
    return;
  }
  const { struggle, text, token } = form;
  await ack({ response_action: 'update', view: views.progressView('Posting…', 'Posting in the thread…') });
  const again = (notice: string) =>
    token === undefined ? views.replyModal(struggle, text, notice) : views.followUpModal(struggle, token, text, notice);
  const showForm = formUpdater(client, form.submission.view.id, log, 'a reply form');
  let outcome: service.ShareOutcome<ReplyRow>;
  try {
    outcome = await postReply(deps, client, kind, struggle, text, now);
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
}

/** Stores the reply and posts it in the struggle's thread (retracted if storing fails). */
function postReply(
  { ctx }: Deps,
  client: WebClient,
  kind: FormReplyKind,
  struggle: StruggleRow,
  text: string,
  now: Date,
) {
  return service.shareReply(
    ctx.db,
    { struggle, kind, text, now },
    async (row) => {
      const posted = await postOnce(
        client,
        {
          channel: struggle.channel_id,
          thread_ts: struggle.message_ts!,
          ...views.anonymousReply(kind, row.id, text),
          ...POST_OPTIONS,
        },
        { key: `reply:${row.id}` },
      );
      return { ts: posted.ts };
    },
    (ts) => retract(client, struggle.channel_id, ts),
  );
}
