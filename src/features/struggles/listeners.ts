import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Cop } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { ActionArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import type { SlackRoutes } from '../../slack/routes';
import { onViewSubmission } from '../../slack/submission-deadline';
import { NOT_A_MEMBER } from '../refusals';
import type { FeatureContext } from '../types';
import type { Capabilities } from './capability';
import { normaliseInput, validateStruggle, type StruggleInput } from './rules';
import * as service from './service';
import {
  blockActions,
  describeFailure,
  formUpdater,
  inputValue,
  metadata,
  permalinkOf,
  POST_OPTIONS,
  refusal,
  retract,
  slackError,
  tell,
  tryLater,
  viewSubmission,
  type ViewSubmission,
} from './slack-io';
import type { StruggleRow } from './tables';
import * as views from './views';
import { postOnce } from '../../slack/post';

interface Deps {
  readonly ctx: FeatureContext;
  readonly caps: Capabilities;
  readonly log: AppLogger;
}

/** Opens the struggle form for a CoP (from `/cop struggle`, the App Home or help). */
export async function openStruggleForm(client: WebClient, triggerId: string, copId: number, text = '') {
  await client.views.open({ trigger_id: triggerId, view: views.struggleModal(copId, { text }) });
}

/**
 * Opening the form and posting a struggle. Nothing here logs, stores or posts the user ID of
 * whoever submits; it is used only to check membership and to address the author's own DM.
 */
export function registerPostingListeners(routes: SlackRoutes, ctx: FeatureContext, caps: Capabilities): void {
  const deps: Deps = { ctx, caps, log: ctx.logger.child('struggles') };
  // "Share a struggle anonymously" (App Home, help).
  routes.action(views.IDS.open, (args: ActionArgs) => openFormFromButton(deps, args));
  onViewSubmission(routes, views.IDS.post, (args) => shareFromForm(deps, args));
}

async function openFormFromButton({ ctx }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = blockActions.safeParse(body);
  if (!parsed.success) return;
  const { user, trigger_id, actions, channel, team } = parsed.data;
  // The button's CoP, else the channel's, else the user's only one.
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
}

type Checked = { errors: Record<string, string> } | { cop: Cop; input: StruggleInput; submission: ViewSubmission };

/** The form's struggle, its CoP and the member's right to post there, or the errors to show on the form. */
async function checkStruggleForm({ ctx }: Deps, body: unknown, now: Date): Promise<Checked> {
  const parsed = viewSubmission.safeParse(body);
  const meta = parsed.success ? metadata(parsed.data.view, z.object({ copId: z.number().int() })) : undefined;
  if (!parsed.success || !meta) return { errors: { text: 'This form is out of date; please open it again.' } };
  const { user, view } = parsed.data;
  const input = normaliseInput({
    text: inputValue(view, 'text'),
    tags: inputValue(view, 'tags'),
    tried: inputValue(view, 'tried'),
  });
  const errors = validateStruggle(input);
  if (Object.keys(errors).length) return { errors };
  const cop = await ctx.community.copById(meta.copId);
  if (!cop || !(await ctx.community.isMember(cop.id, user.id))) return { errors: { text: NOT_A_MEMBER } };
  const budget = await service.struggleBudget(ctx.db, cop.id, now);
  if (!budget.allowed) return { errors: { text: tryLater('struggles', budget.retryAt, now) } };
  return { cop, input, submission: parsed.data };
}

async function shareFromForm(deps: Deps, { ack, body, client }: ViewSubmissionArgs): Promise<void> {
  const { ctx, log } = deps;
  const now = ctx.clock.now();
  const checked = await checkStruggleForm(deps, body, now);
  if ('errors' in checked) {
    await ack({ response_action: 'errors', errors: checked.errors });
    return;
  }
  const { cop, input, submission } = checked;
  // Close the form's spinner at once; the post's outcome replaces this view.
  await ack({ response_action: 'update', view: views.progressView('Sharing…', 'Posting your struggle anonymously…') });
  const showForm = formUpdater(client, submission.view.id, log, 'a struggle form');
  let outcome: service.ShareOutcome<StruggleRow>;
  try {
    outcome = await postStruggle(deps, client, cop, input, now);
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
  const dmSent = await sendAuthorRights(deps, client, submission.user.id, struggle);
  await showForm(views.sharedView(struggle.permalink, struggle.channel_id, dmSent));
}

/** Stores the struggle and posts it in the CoP's channel, anonymously (retracted if storing fails). */
function postStruggle({ ctx, log }: Deps, client: WebClient, cop: Cop, struggle: StruggleInput, now: Date) {
  return service.shareStruggle(
    ctx.db,
    { copId: cop.id, channelId: cop.channel_id, struggle, now },
    async (row) => {
      const posted = await postOnce(
        client,
        { channel: cop.channel_id, ...views.strugglePost(row), ...POST_OPTIONS },
        { key: `struggle:${row.id}`, logger: log },
      );
      return { ts: posted.ts, permalink: await permalinkOf(client, cop.channel_id, posted.ts) };
    },
    (ts) => retract(client, cop.channel_id, ts),
  );
}

/**
 * The author's rights (follow up, resolve) go to them directly: never through the outbox, which
 * names recipients. Whether the DM went out.
 */
async function sendAuthorRights(
  { caps, log }: Deps,
  client: WebClient,
  authorId: string,
  struggle: StruggleRow,
): Promise<boolean> {
  try {
    await postOnce(client, {
      channel: authorId,
      ...views.authorDm(struggle, caps.issue(struggle.id)),
      ...POST_OPTIONS,
    });
    return true;
  } catch (error) {
    log.warn(`the author's DM for struggle ${struggle.id} could not be sent: ${slackError(error)}`);
    return false;
  }
}
