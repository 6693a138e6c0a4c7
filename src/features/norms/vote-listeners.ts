import type { BlockAction, RespondFn, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { FeatureContext } from '../types';
import { metadata, objectionMetadata, parseObjection, parseState } from './forms';
import { ACTION, CALLBACK, FIELD } from './ids';
import { objectionModal } from './modals';
import type { ProposalPublisher } from './publisher';
import type { NormsService } from './service';
import type { VoteVerdict } from './rules';
import { clickVote, reactionVote, slackTimeToIso, type VoteRecorder, type VoteResult } from './votes';
import { NOT_A_MEMBER_VOTE, VOTE_FAILED, VOTING_CLOSED, objectionReply, voteReceipt } from './views';
import type { ActionArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { SlackRoutes } from '../../slack/routes';
import { postOnce } from '../../slack/post';

const buttonBody = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  response_url: z.string().optional(),
  container: z.object({ type: z.string() }).optional(),
  actions: z.array(z.object({ value: z.string().regex(/^\d+$/), action_ts: z.string() })).min(1),
});
type Click = z.infer<typeof buttonBody>;

const reactionEvent = z.object({
  user: z.string(),
  reaction: z.string(),
  item: z.object({ type: z.literal('message'), channel: z.string(), ts: z.string() }),
  event_ts: z.string(),
});

const objectionView = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ private_metadata: z.string(), state: z.object({ values: z.unknown() }) }),
});

/** The later of a Slack time and our clock, as ISO with microseconds (same-length strings compare in order). */
function laterOf(slackIso: string, now: Date): string {
  const ours = now.toISOString().replace('Z', '000Z');
  return ours > slackIso ? ours : slackIso;
}

/** What a voter is told when their vote did not count; undefined when it did (or was a repeat). */
function refusalText(result: VoteResult | VoteVerdict | undefined): string | undefined {
  if (!result) return VOTE_FAILED;
  if (result.kind === 'ignored') return VOTING_CLOSED;
  if (result.kind !== 'refused') return undefined;
  if (result.reason === 'not-member') return NOT_A_MEMBER_VOTE;
  return result.reason === 'closed' ? VOTING_CLOSED : undefined;
}

interface Deps {
  ctx: FeatureContext;
  service: NormsService;
  votes: VoteRecorder;
  publisher: ProposalPublisher;
}

type ReactionArgs = Omit<SlackEventMiddlewareArgs<'reaction_added' | 'reaction_removed'>, 'ack'> & {
  ack(): Promise<void>;
};

/**
 * Votes: the Support and Object buttons (in the channel, the App Home and DMs), the objection
 * modal, and reactions. Each handler parses, casts the vote (VoteRecorder: one way for all),
 * answers the voter, and settles the proposal (ProposalPublisher).
 */
export function registerVoteListeners(routes: SlackRoutes, deps: Deps): void {
  routes.action<BlockAction>(ACTION.support, (args) => supportClicked(deps, args));
  routes.action<BlockAction>(ACTION.object, (args) => objectClicked(deps, args));
  onViewSubmission(routes, CALLBACK.objection, (args) => objectionSubmitted(deps, args));
  routes.eventWithAck('reaction_added', (args) => reactionChanged(deps, args, false));
  routes.eventWithAck('reaction_removed', (args) => reactionChanged(deps, args, true));
}

/** A private answer to a click: ephemeral where Slack gives a response_url, else a DM. */
async function tell(ctx: FeatureContext, respond: RespondFn, click: Click, text: string): Promise<void> {
  if (click.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
  else await postOnce(ctx.client, { channel: click.user.id, text });
}

/** Support: counts at once, then the message, then a receipt (or the App Home, if clicked there). */
async function supportClicked(
  { ctx, service, votes, publisher }: Deps,
  { ack, body, respond }: ActionArgs,
): Promise<void> {
  await ack();
  const parsed = buttonBody.safeParse(body);
  if (!parsed.success) return;
  const click = parsed.data;
  const action = click.actions[0]!;
  const vote = clickVote({
    proposalId: Number(action.value),
    userId: click.user.id,
    stance: 'support',
    reason: null,
    actedAt: slackTimeToIso(action.action_ts),
  });
  const result = await votes.cast(vote).catch(() => undefined); // logged with its context by the retry
  const refusal = refusalText(result);
  if (refusal) return tell(ctx, respond, click, refusal);
  if (result?.kind !== 'counted') return;
  await publisher.afterVote(result.proposal.id);
  if (click.container?.type === 'view') return ctx.refreshHome(click.user.id);
  // Read after the vote settled: if it decided the proposal, the receipt says voting closed.
  const settled = (await service.findProposal(result.proposal.id)) ?? result.proposal;
  await tell(ctx, respond, click, voteReceipt('support', settled));
}

/** Object: asks for a reason in a modal, if the clicker may vote on it now. */
async function objectClicked({ ctx, votes }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = buttonBody.safeParse(body);
  if (!parsed.success) return;
  const click = parsed.data;
  const { proposal, verdict } = await votes.mayVote(Number(click.actions[0]!.value), click.user.id);
  const refusal = refusalText(verdict);
  if (refusal || !proposal) return tell(ctx, respond, click, refusal ?? VOTING_CLOSED);
  const fromHome = click.container?.type === 'view';
  const view = objectionModal(proposal.id, proposal.title, { fromHome, clickedAt: click.actions[0]!.action_ts });
  await client.views.open({ trigger_id: click.trigger_id, view });
}

/** The objection modal: counts the objection, posts its reason (named or anonymous) in the thread. */
async function objectionSubmitted({ ctx, votes, publisher }: Deps, { ack, body, client }: ViewSubmissionArgs) {
  const parsed = objectionView.safeParse(body);
  const meta = parsed.success ? metadata(objectionMetadata, parsed.data.view.private_metadata) : undefined;
  if (!parsed.success || !meta) return ack({ response_action: 'errors', errors: { [FIELD.reason]: VOTING_CLOSED } });
  const userId = parsed.data.user.id;
  const form = parseObjection(parseState(parsed.data.view.state.values));
  if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
  const { proposal, verdict } = await votes.mayVote(meta.proposalId, userId);
  const refusal = refusalText(verdict);
  if (refusal || !proposal) {
    return ack({ response_action: 'errors', errors: { [FIELD.reason]: refusal ?? VOTING_CLOSED } });
  }
  await ack();
  const { reason, anonymous } = form.value;
  const vote = clickVote({
    proposalId: proposal.id,
    userId,
    stance: 'object',
    // An anonymous reason is never stored next to its author.
    reason: anonymous ? null : reason,
    actedAt: laterOf(slackTimeToIso(meta.clickedAt), ctx.clock.now()),
  });
  const result = await votes.cast(vote).catch(() => undefined);
  if (result?.kind !== 'counted') {
    await postOnce(client, { channel: userId, text: refusalText(result) ?? VOTE_FAILED });
    return;
  }
  if (reason && proposal.message_ts) {
    // No stable key: it would name the objector of an anonymous reason.
    await postOnce(client, {
      channel: proposal.channel_id,
      thread_ts: proposal.message_ts,
      text: objectionReply(reason, anonymous ? undefined : userId),
    });
    ctx.logger.info(
      `an objection with a${anonymous ? 'n anonymous' : ' named'} reason was posted on proposal ${proposal.id}`,
    );
  }
  await publisher.afterVote(proposal.id);
  if (meta.fromHome) await ctx.refreshHome(userId);
}

/**
 * A reaction added or removed. Slack's delivery is acknowledged once the vote is written (or
 * refused); if the write fails, the error leaves it unacknowledged and Slack delivers it again.
 */
async function reactionChanged({ votes, publisher }: Deps, { ack, event, body }: ReactionArgs, removed: boolean) {
  const parsed = reactionEvent.safeParse(event);
  const eventId = 'event_id' in body ? body.event_id : undefined;
  const vote =
    parsed.success && eventId
      ? reactionVote({
          eventId,
          channelId: parsed.data.item.channel,
          messageTs: parsed.data.item.ts,
          userId: parsed.data.user,
          reaction: parsed.data.reaction,
          removed,
          eventTs: parsed.data.event_ts,
        })
      : undefined;
  if (!vote) return ack();
  const result = await votes.cast(vote);
  await ack();
  // A redelivered event may be one whose first delivery was stored while its connection dropped
  // (the commit went through, its answer did not): that delivery never settled, so this one does.
  // A settle reads the tally afresh and is coalesced, so settling again is only a refresh.
  const redelivered = result.kind === 'refused' && result.reason === 'duplicate';
  if ((result.kind === 'counted' && result.changed) || redelivered) await publisher.afterVote(result.proposal.id);
}
