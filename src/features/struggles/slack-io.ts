import type { RespondFn } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AppLogger } from '../../logger';
import { z } from 'zod';
import { minutesUntil } from './rules';
import { progressView } from './views';

/** The parts of a block_actions payload this feature reads. */
export const blockActions = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  team: z.object({ id: z.string() }).nullish(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        value: z.string().optional(),
        selected_option: z.object({ value: z.string() }).optional(),
      }),
    )
    .min(1),
});

/** The parts of a view_submission payload this feature reads. */
export const viewSubmission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    id: z.string(),
    private_metadata: z.string().optional(),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).passthrough())),
    }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmission>;

/** The typed value of a text input, by block id (the same as its action id in our views). */
export function inputValue(view: ViewSubmission['view'], blockId: string): string {
  return view.state.values[blockId]?.[blockId]?.value ?? '';
}

export function metadata<T>(view: ViewSubmission['view'], schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(view.private_metadata ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Slack's error code from a Web API failure. */
/**
 * Redraws a form after its submission was acknowledged. The form may be gone by now (closed,
 * expired); what was posted does not depend on it, so a failure is only logged.
 */
export function formUpdater(client: WebClient, viewId: string, log: AppLogger, what: string) {
  return (next: ModalView): Promise<void> =>
    client.views
      .update({ view_id: viewId, view: next })
      .then(() => undefined)
      .catch((error: unknown) => log.warn(`${what} could not be updated: ${slackError(error)}`));
}

export function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : 'no answer';
}

/**
 * Tells the clicker something privately: an ephemeral reply where the click came from a
 * message, a small modal where it came from the App Home (which has no response_url).
 */
export async function tell(
  client: WebClient,
  respond: RespondFn | undefined,
  triggerId: string,
  text: string,
): Promise<void> {
  if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  await client.views.open({ trigger_id: triggerId, view: progressView('Practice struggles', text) });
}

export const POST_OPTIONS = { unfurl_links: false, unfurl_media: false } as const;

export const tryLater = (what: string, retryAt: Date, now: Date) =>
  `This CoP has shared as many anonymous ${what} as it can for this hour. Please try again in about ${minutesUntil(retryAt, now)} minutes.`;

/** Takes back a post whose record could not be kept, so nothing stays half-posted. */
export async function retract(client: WebClient, channel: string, ts: string): Promise<void> {
  await client.chat.delete({ channel, ts });
}

/** Whether Slack refused (it says why) or something failed on our side. */
export function isSlackRefusal(error: unknown): boolean {
  return slackError(error) !== 'no answer';
}

export function describeFailure(error: unknown): string {
  return isSlackRefusal(error) ? slackError(error) : error instanceof Error ? error.message : 'unknown error';
}

export function refusal(what: 'post' | 'reply', error: unknown): string {
  return isSlackRefusal(error)
    ? `Slack did not accept the ${what} (${slackError(error)}), so nothing was shared or saved. You can try again.`
    : `Something went wrong on our side, so nothing was shared or saved. You can try again.`;
}

export async function permalinkOf(client: WebClient, channel: string, ts: string): Promise<string | null> {
  try {
    return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
  } catch {
    return null;
  }
}
