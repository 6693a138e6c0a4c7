import type { BlockAction } from '@slack/bolt';
import { z } from 'zod';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../refusals';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { FeatureContext } from '../types';
import {
  metadata,
  parseProposal,
  parseRule,
  parseState,
  proposeFormState,
  proposeMetadata,
  ruleMetadata,
} from './forms';
import { ACTION, CALLBACK, FIELD } from './ids';
import { proposeModal, ruleModal } from './modals';
import { ruleText } from './overview';
import type { ProposalPublisher } from './publisher';
import type { NormsService } from './service';
import type { ActionArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import type { SlackRoutes } from '../../slack/routes';
import { postOnce } from '../../slack/post';

const copButton = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.array(z.object({ value: z.string().regex(/^\d+$/) })).min(1),
});

/** A change of choice in the proposal form (its radio buttons dispatch a block action). */
const kindChange = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    id: z.string(),
    hash: z.string(),
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.unknown() }),
  }),
});

const submission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ private_metadata: z.string(), state: z.object({ values: z.unknown() }) }),
});

interface Deps {
  ctx: FeatureContext;
  service: NormsService;
  publisher: ProposalPublisher;
}

/** Proposing (the modal, from `/cop propose` or the "Propose a norm" button) and changing the rule. */
export function registerProposeListeners(routes: SlackRoutes, deps: Deps): void {
  routes.action<BlockAction>(ACTION.proposeOpen, (args) => openProposeForm(deps, args));
  onViewSubmission(routes, CALLBACK.propose, (args) => submitProposal(deps, args));
  routes.action<BlockAction>(FIELD.kind, (args) => redrawProposeForm(deps, args));
  routes.action<BlockAction>(ACTION.ruleOpen, (args) => openRuleForm(deps, args));
  onViewSubmission(routes, CALLBACK.rule, (args) => changeRule(deps, args));
}

async function openProposeForm({ service }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const click = copButton.safeParse(body);
  if (!click.success) return;
  const copId = Number(click.data.actions[0]!.value);
  if (!(await service.isMember(copId, click.data.user.id))) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_A_MEMBER });
    return;
  }
  const norms = await service.numberedNorms(copId);
  await client.views.open({ trigger_id: click.data.trigger_id, view: proposeModal(copId, norms) });
}

async function submitProposal({ ctx, service, publisher }: Deps, { ack, body }: ViewSubmissionArgs): Promise<void> {
  const parsed = submission.safeParse(body);
  const meta = parsed.success ? metadata(proposeMetadata, parsed.data.view.private_metadata) : undefined;
  const cop = meta ? await ctx.community.copById(meta.copId) : undefined;
  if (!parsed.success || !cop) {
    return ack({ response_action: 'errors', errors: { [FIELD.title]: 'This CoP no longer exists.' } });
  }
  const userId = parsed.data.user.id;
  if (!(await service.isMember(cop.id, userId))) {
    return ack({ response_action: 'errors', errors: { [FIELD.title]: NOT_A_MEMBER } });
  }
  const values = parseState(parsed.data.view.state.values);
  const norms = await service.numberedNorms(cop.id);
  const adopted = new Map(norms.map((n) => [n.norm.id, n.norm.title]));
  const form = parseProposal(values, adopted, FIELD.norm in values);
  if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
  await ack();
  await publisher.publish(cop, form.value, userId);
}

/** The form shows only the fields of the choice made: redrawn, keeping what was typed, when it changes. */
async function redrawProposeForm({ ctx, service }: Deps, { ack, body, client }: ActionArgs): Promise<void> {
  await ack();
  const change = kindChange.safeParse(body);
  if (!change.success || change.data.view.callback_id !== CALLBACK.propose) return;
  const { view, user } = change.data;
  const meta = metadata(proposeMetadata, view.private_metadata);
  if (!meta || !(await service.isMember(meta.copId, user.id))) return;
  const norms = await service.numberedNorms(meta.copId);
  const form = proposeFormState(parseState(view.state.values));
  // The hash makes Slack refuse this update if the view changed meanwhile (a quicker second click).
  await client.views
    .update({ view_id: view.id, hash: view.hash, view: proposeModal(meta.copId, norms, form) })
    .catch((error: unknown) => ctx.logger.warn('redrawing the proposal form for another choice failed', error));
}

async function openRuleForm({ ctx }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const click = copButton.safeParse(body);
  if (!click.success) return;
  const cop = await ctx.community.copById(Number(click.data.actions[0]!.value));
  if (!cop || !(await ctx.community.isCoordinator(cop.id, click.data.user.id))) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_A_COORDINATOR });
    return;
  }
  await client.views.open({ trigger_id: click.data.trigger_id, view: ruleModal(cop) });
}

async function changeRule({ ctx, service }: Deps, { ack, body, client }: ViewSubmissionArgs): Promise<void> {
  const parsed = submission.safeParse(body);
  const meta = parsed.success ? metadata(ruleMetadata, parsed.data.view.private_metadata) : undefined;
  if (!parsed.success || !meta) {
    return ack({ response_action: 'errors', errors: { [FIELD.quorum]: 'This CoP no longer exists.' } });
  }
  const form = parseRule(parseState(parsed.data.view.state.values));
  if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
  const userId = parsed.data.user.id;
  // The server decides who may change the rule, whatever the view showed. Checked before the
  // ack, written after it: a submission abandoned at its deadline must change nothing.
  if (!(await ctx.community.isCoordinator(meta.copId, userId))) {
    return ack({ response_action: 'errors', errors: { [FIELD.quorum]: NOT_A_COORDINATOR } });
  }
  await ack();
  const changed = await service.changeRule(meta.copId, userId, form.value.rule, form.value.windowDays);
  if (!changed) return;
  const cop = await ctx.community.copById(meta.copId);
  if (!cop) return;
  await postOnce(client, {
    channel: cop.channel_id,
    text: `:scales: <@${userId}> changed the voting rule for new proposals. ${ruleText(cop)} Open proposals keep the rule they started with.`,
  });
}
