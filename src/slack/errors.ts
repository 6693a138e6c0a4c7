/** The `error` of a Web API refusal (`ok: false`), e.g. `message_not_found`; undefined for other failures. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Refusals that say the message cannot be edited any more: it, or its channel, is gone. */
const MESSAGE_GONE = new Set(['message_not_found', 'channel_not_found', 'is_archived', 'cant_update_message']);

/** Whether chat.update failed because the message can never be edited again (retrying is pointless). */
export function isMessageGone(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && MESSAGE_GONE.has(code);
}
