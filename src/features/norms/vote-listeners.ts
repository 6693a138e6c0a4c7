import type { BlockAction, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { FeatureContext } from '../types';
import { metadata, objectionMetadata, parseObjection, parseState } from './forms';
import { ACTION, CALLBACK, FIELD } from './ids';
import { objectionModal } from './modals';
import type { ProposalPublisher } from './publisher';
import type { NormsService } from './service';
import { slackTimeToIso, type VoteRecorder, type VoteResult } from './votes';
import { NOT_A_MEMBER_VOTE, VOTE_FAILED, VOTING_CLOSED, objectionReply, voteReceipt } from './views';
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

interface Deps {
  ctx: FeatureContext;
  service: NormsService;
  votes: VoteRecorder;
  publisher: ProposalPublisher;
}

/** Votes: the Support and Object buttons (in the channel, the App Home and DMs), the objection modal, and reactions. */
export function registerVoteListeners(routes: SlackRoutes, { ctx, service, votes, publisher }: Deps): void {
  /** A private answer to a click: ephemeral where Slack gives a response_url, else a DM. */
  const tell = async (respond: RespondFn, body: z.infer<typeof buttonBody>, text: string) => {
    if (body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
    else await postOnce(ctx.client, { channel: body.user.id, text });
  };
  const refused = (result: VoteResult): string | undefined =>
    result.kind === 'not-member'
      ? NOT_A_MEMBER_VOTE
      : result.kind === 'closed' || result.kind === 'not-found'
        ? VOTING_CLOSED
        : undefined;

  routes.action<BlockAction>(ACTION.support, async ({ ack, body, respond }) => {
    await ack();
    const parsed = buttonBody.safeParse(body);
    if (!parsed.success) return;
    const click = parsed.data;
    const action = click.actions[0]!;
    const result = await votes
      .voteByAction({
        proposalId: Number(action.value),
        userId: click.user.id,
        stance: 'support',
        reason: null,
        actedAt: slackTimeToIso(action.action_ts),
      })
      .catch(() => undefined); // logged with its context by the retry
    if (!result) return tell(respond, click, VOTE_FAILED);
    const refusal = refused(result);
    if (refusal) return tell(respond, click, refusal);
    if (result.kind !== 'counted') return;
    await publisher.afterVote(result.proposal);
    if (click.container?.type === 'view') return ctx.refreshHome(click.user.id);
    // Read after the vote settled: if it decided the proposal, the receipt says voting closed.
    const settled = (await service.findProposal(result.proposal.id)) ?? result.proposal;
    await tell(respond, click, voteReceipt('support', settled));
  });

  routes.action<BlockAction>(ACTION.object, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = buttonBody.safeParse(body);
    if (!parsed.success) return;
    const click = parsed.data;
    const proposal = await service.findProposal(Number(click.actions[0]!.value));
    if (!proposal || proposal.status !== 'open' || ctx.clock.now() >= proposal.closes_at) {
      return tell(respond, click, VOTING_CLOSED);
    }
    if (!(await service.isMember(proposal.cop_id, click.user.id))) return tell(respond, click, NOT_A_MEMBER_VOTE);
    const fromHome = click.container?.type === 'view';
    const view = objectionModal(proposal.id, proposal.title, { fromHome, clickedAt: click.actions[0]!.action_ts });
    await client.views.open({ trigger_id: click.trigger_id, view });
  });

  onViewSubmission(routes, CALLBACK.objection, async ({ ack, body, client }) => {
    const parsed = objectionView.safeParse(body);
    const meta = parsed.success ? metadata(objectionMetadata, parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !meta) return ack({ response_action: 'errors', errors: { [FIELD.reason]: VOTING_CLOSED } });
    const userId = parsed.data.user.id;
    const form = parseObjection(parseState(parsed.data.view.state.values));
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    const proposal = await service.findProposal(meta.proposalId);
    if (!proposal || proposal.status !== 'open' || ctx.clock.now() >= proposal.closes_at) {
      return ack({ response_action: 'errors', errors: { [FIELD.reason]: VOTING_CLOSED } });
    }
    if (!(await service.isMember(proposal.cop_id, userId))) {
      return ack({ response_action: 'errors', errors: { [FIELD.reason]: NOT_A_MEMBER_VOTE } });
    }
    await ack();
    const { reason, anonymous } = form.value;
    const result = await votes
      .voteByAction({
        proposalId: proposal.id,
        userId,
        stance: 'object',
        // An anonymous reason is never stored next to its author.
        reason: anonymous ? null : reason,
        actedAt: laterOf(slackTimeToIso(meta.clickedAt), ctx.clock.now()),
      })
      .catch(() => undefined);
    if (result?.kind !== 'counted') {
      await postOnce(client, { channel: userId, text: (result && refused(result)) ?? VOTE_FAILED });
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
    await publisher.afterVote(result.proposal);
    if (meta.fromHome) await ctx.refreshHome(userId);
  });

  const onReaction =
    (removed: boolean) =>
    async ({ event, body }: { event: unknown; body: { event_id?: string } }) => {
      const parsed = reactionEvent.safeParse(event);
      if (!parsed.success || !body.event_id) return;
      const e = parsed.data;
      const result = await votes.voteByReaction({
        eventId: body.event_id,
        channelId: e.item.channel,
        messageTs: e.item.ts,
        userId: e.user,
        reaction: e.reaction,
        removed,
        eventTs: e.event_ts,
      });
      if (result.kind === 'counted' && result.changed) await publisher.afterVote(result.proposal);
    };
  routes.event('reaction_added', onReaction(false));
  routes.event('reaction_removed', onReaction(true));
}
