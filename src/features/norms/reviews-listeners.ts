import type { BlockAction, RespondFn } from '@slack/bolt';
import type { ActionArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import { z } from 'zod';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../refusals';
import type { SlackRoutes } from '../../slack/routes';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { FeatureContext } from '../types';
import type { CharterService } from './charter';
import { metadata, parseState } from './forms';
import { historiesOf } from './history';
import { historyReply } from './history-views';
import { ACTION, CALLBACK, FIELD } from './ids';
import { proposeModal } from './modals';
import * as repo from './repository';
import type { ReviewService } from './reviews';
import { rhythmModal } from './reviews-modals';
import { REVIEW_MONTHS } from './reviews-rules';
import type { NormsService } from './service';
import type { Proposal } from '../../db/schema';
import type { ProposalLinks } from './overview';

const idButton = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.array(z.object({ value: z.string().regex(/^\d{1,9}$/) })).min(1),
});

const submission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ private_metadata: z.string(), state: z.object({ values: z.unknown() }) }),
});

const rhythmMetadata = z.object({ copId: z.number().int() });

const months = z.coerce
  .number({ error: 'Give a whole number of months.' })
  .int({ error: 'Give a whole number of months.' })
  .min(REVIEW_MONTHS.min, { error: `At least ${REVIEW_MONTHS.min} month.` })
  .max(REVIEW_MONTHS.max, { error: `At most ${REVIEW_MONTHS.max} months.` });

export const NO_LONGER_ADOPTED = 'That norm is no longer adopted, so there is nothing to change or retire.';

interface Deps {
  ctx: FeatureContext;
  service: NormsService;
  reviews: ReviewService;
  charter: CharterService;
  linksOf(proposals: Proposal[]): Promise<ProposalLinks>;
}

async function whisper(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** A review's "Propose a change" / "Propose retiring it", the norms' History buttons, the review rhythm. */
export function registerReviewListeners(routes: SlackRoutes, deps: Deps): void {
  routes.action<BlockAction>(ACTION.reviewChange, (args) => openPrefilledProposal(deps, args, 'change'));
  routes.action<BlockAction>(ACTION.reviewRetire, (args) => openPrefilledProposal(deps, args, 'retire'));
  routes.action<BlockAction>(ACTION.history, (args) => showHistory(deps, args));
  routes.action<BlockAction>(ACTION.rhythmOpen, (args) => openRhythm(deps, args));
  onViewSubmission(routes, CALLBACK.rhythm, (args) => saveRhythm(deps, args));
}

/** The proposal modal, prefilled for the review's norm: a change (its text to edit) or its retirement. */
async function openPrefilledProposal(
  { ctx, service }: Deps,
  { ack, body, client, respond }: ActionArgs,
  kind: 'change' | 'retire',
): Promise<void> {
  await ack();
  const click = idButton.safeParse(body);
  if (!click.success) return;
  const norm = await repo.findNorm(ctx.db, Number(click.data.actions[0]!.value));
  if (!norm || !(await ctx.community.isMember(norm.cop_id, click.data.user.id))) return whisper(respond, NOT_A_MEMBER);
  if (norm.status !== 'adopted') return whisper(respond, NO_LONGER_ADOPTED);
  const norms = await service.numberedNorms(norm.cop_id);
  // The proposal form, opened on the choice the button names, for this norm.
  const view = proposeModal(norm.cop_id, norms, {
    kind,
    normId: norm.id,
    title: norm.title,
    ...(kind === 'change' ? { body: norm.body } : {}),
  });
  await client.views.open({ trigger_id: click.data.trigger_id, view });
}

/** A norm's history, privately, to a member of its CoP (a CoP's content is for its members). */
async function showHistory({ ctx, service, linksOf }: Deps, { ack, body, respond }: ActionArgs): Promise<void> {
  await ack();
  const click = idButton.safeParse(body);
  if (!click.success) return;
  const norm = await repo.findNorm(ctx.db, Number(click.data.actions[0]!.value));
  if (!norm || !(await ctx.community.isMember(norm.cop_id, click.data.user.id))) return whisper(respond, NOT_A_MEMBER);
  const [history] = await historiesOf(ctx.db, [norm]);
  const number = (await service.numberedNorms(norm.cop_id)).find((n) => n.norm.id === norm.id)?.number;
  const links = await linksOf(history!.steps.map((s) => s.proposal));
  await respond({ response_type: 'ephemeral', replace_original: false, ...historyReply(history!, number, links) });
}

async function openRhythm({ ctx }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const click = idButton.safeParse(body);
  if (!click.success) return;
  const cop = await ctx.community.copById(Number(click.data.actions[0]!.value));
  if (!cop || !(await ctx.community.isCoordinator(cop.id, click.data.user.id))) {
    return whisper(respond, NOT_A_COORDINATOR);
  }
  await client.views.open({ trigger_id: click.data.trigger_id, view: rhythmModal(cop) });
}

/** A coordinator's new review rhythm: checked before the ack (errors in the form), written after it. */
async function saveRhythm({ ctx, reviews, charter }: Deps, { ack, body, client }: ViewSubmissionArgs): Promise<void> {
  const parsed = submission.safeParse(body);
  const meta = parsed.success ? metadata(rhythmMetadata, parsed.data.view.private_metadata) : undefined;
  if (!parsed.success || !meta) {
    return ack({ response_action: 'errors', errors: { [FIELD.reviewMonths]: 'This CoP no longer exists.' } });
  }
  const values = parseState(parsed.data.view.state.values);
  const given = months.safeParse(values[FIELD.reviewMonths]?.[FIELD.reviewMonths]?.value || undefined);
  if (!given.success) {
    return ack({ response_action: 'errors', errors: { [FIELD.reviewMonths]: given.error.issues[0]!.message } });
  }
  const userId = parsed.data.user.id;
  if (!(await ctx.community.isCoordinator(meta.copId, userId))) {
    return ack({ response_action: 'errors', errors: { [FIELD.reviewMonths]: NOT_A_COORDINATOR } });
  }
  await ack();
  if (!(await reviews.changeRhythm(meta.copId, userId, given.data))) return;
  const cop = await ctx.community.copById(meta.copId);
  if (!cop) return;
  const every = given.data === 1 ? 'every month' : `every ${given.data} months`;
  await client.chat.postMessage({
    channel: cop.channel_id,
    text: `:calendar: <@${userId}> changed the review rhythm: each norm now comes up for review ${every} after its adoption or last review. \`/cop norms\` shows each norm’s next review.`,
  });
  await charter.sync(cop.id);
}
