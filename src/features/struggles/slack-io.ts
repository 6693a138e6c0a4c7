import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
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
export type BlockActions = z.infer<typeof blockActions>;

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
