import { z } from 'zod';
import { NOT_A_MEMBER } from '../refusals';
import { findSentDm } from '../../slack/outbox';
import type { SlackRoutes } from '../../slack/routes';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { FeatureContext } from '../types';
import * as repo from './repository';
import { parseScore } from './rules';
import { pulseKey } from './service';
import { ACTION_OPEN, answerModal, CALLBACK_ANSWER, PULSE_TEXTS, thanksDm } from './views';

const openClick = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.array(z.object({ value: z.string().optional() })).min(1),
});

const radio = z.object({ selected_option: z.object({ value: z.string() }).nullish() });
const answerSubmission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), radio)) }),
  }),
});
const answerMeta = z.object({ pulseId: z.number().int() });

/**
 * The pulse DM's button opens the two statements; the submission counts the answer. Nothing
 * here logs or stores a score next to a member: logs say neither who answered nor what.
 */
export function registerPulseListeners(routes: SlackRoutes, ctx: FeatureContext): void {
  routes.action(ACTION_OPEN, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = openClick.safeParse(body);
    if (!parsed.success) return;
    const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const userId = parsed.data.user.id;
    const pulseId = Number(parsed.data.actions[0]!.value);
    const pulse = Number.isSafeInteger(pulseId) ? await repo.findPulse(ctx.db, pulseId) : undefined;
    const refusal = await refuse(ctx, pulse, userId);
    if (refusal || !pulse) return void (await say(refusal ?? PULSE_TEXTS.gone));
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: answerModal(pulse.id, pulse.threshold) });
  });

  onViewSubmission(routes, CALLBACK_ANSWER, async ({ ack, body, client }) => {
    const parsed = answerSubmission.safeParse(body);
    const meta = answerMeta.safeParse(safeJson(parsed.data?.view.private_metadata));
    if (!parsed.success || !meta.success) {
      await ack({
        response_action: 'errors',
        errors: { struggles: 'Something is off with this form; open it again.' },
      });
      return;
    }
    const values = parsed.data.view.state.values;
    const struggles = parseScore(values.struggles?.struggles?.selected_option?.value);
    const voice = parseScore(values.voice?.voice?.selected_option?.value);
    if (struggles === undefined || voice === undefined) {
      const errors: Record<string, string> = {};
      if (struggles === undefined) errors.struggles = PULSE_TEXTS.pick;
      if (voice === undefined) errors.voice = PULSE_TEXTS.pick;
      await ack({ response_action: 'errors', errors });
      return;
    }
    const userId = parsed.data.user.id;
    const pulse = await repo.findPulse(ctx.db, meta.data.pulseId);
    const refusal = await refuse(ctx, pulse, userId);
    if (refusal || !pulse) {
      await ack({ response_action: 'errors', errors: { struggles: refusal ?? PULSE_TEXTS.gone } });
      return;
    }
    await ack();
    await repo.countAnswer(ctx.db, pulse.id, userId, { struggles, voice });
    // The member's own pulse DM says thanks (never a forged channel and ts: it must be the DM we sent them).
    const sent = await findSentDm(ctx.db, pulseKey(pulse.id, userId));
    const cop = await ctx.community.copById(pulse.cop_id);
    if (cop && sent?.channel_id && sent.message_ts) {
      await client.chat
        .update({ channel: sent.channel_id, ts: sent.message_ts, ...thanksDm(cop.channel_id) })
        .catch((error: unknown) => ctx.logger.warn(`updating a pulse DM of pulse ${pulse.id} failed`, error));
    }
  });
}

/** Why this member may not answer this pulse now, or undefined if they may. */
async function refuse(
  ctx: FeatureContext,
  pulse: { id: number; cop_id: number; closes_at: Date } | undefined,
  userId: string,
): Promise<string | undefined> {
  if (!pulse) return PULSE_TEXTS.gone;
  if (!(await ctx.community.isMember(pulse.cop_id, userId))) return NOT_A_MEMBER;
  if (pulse.closes_at.getTime() <= ctx.clock.now().getTime()) return PULSE_TEXTS.closed;
  if (await repo.hasAnswered(ctx.db, pulse.id, userId)) return PULSE_TEXTS.answered;
  return undefined;
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
