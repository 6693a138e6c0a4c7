import { z } from 'zod';

/**
 * The shapes of what Slack posts to the request URL, as far as Bolt and the bot's listeners
 * rely on them before their own parsing: Bolt dereferences `body.event`, `body.user.id`,
 * `body.view.callback_id`, `event.channel.id`… outside any listener, so a body missing one of
 * them, or holding `null` there, would crash the process or end in a 5xx. Anything not listed
 * here passes through unchecked (loose objects), for the listeners' own zod schemas.
 */

const text = z.string();
const httpUrl = z.url({ protocol: /^https?$/ });
const idRef = z.looseObject({ id: text });
// A workspace or organisation id. Bolt keeps a client pool per team in a plain object, so a team
// id such as "toString" would reach Object.prototype there and end in a 500.
const slackId = text.regex(/^[A-Z0-9]+$/);
const teamRef = z.looseObject({ id: slackId });

const user = z.looseObject({ id: text, team_id: slackId.optional() });
const interactionBase = {
  user,
  // Null when the app is installed org-wide.
  team: teamRef.nullish(),
  enterprise: teamRef.nullish(),
  api_app_id: text.optional(),
  trigger_id: text.optional(),
  response_url: httpUrl.optional(),
  response_urls: z.array(z.looseObject({ response_url: httpUrl })).optional(),
  channel: idRef.optional(),
  is_enterprise_install: z.boolean().optional(),
};

// A view a button was clicked in: Bolt reads nothing of it; its listeners parse what they use.
const view = z.looseObject({
  id: text.optional(),
  type: text.optional(),
  callback_id: text.optional(),
  private_metadata: text.optional(),
  app_installed_team_id: slackId.optional(),
  state: z.looseObject({ values: z.record(text, z.record(text, z.looseObject({ type: text.optional() }))) }).optional(),
});
// A submitted or closed view: its callback_id routes it.
const submittedView = view.extend({ id: text, callback_id: text, state: view.shape.state.unwrap() });
const closedView = view.extend({ id: text, callback_id: text });

const blockActions = z.looseObject({
  ...interactionBase,
  type: z.literal('block_actions'),
  actions: z
    .array(
      z.looseObject({
        action_id: text,
        block_id: text.optional(),
        type: text,
        value: text.optional(),
        action_ts: text.optional(),
      }),
    )
    .min(1),
  container: z.looseObject({ type: text }).optional(),
  message: z.looseObject({ ts: text }).optional(),
  view: view.optional(),
});

const viewSubmission = z.looseObject({ ...interactionBase, type: z.literal('view_submission'), view: submittedView });
const viewClosed = z.looseObject({ ...interactionBase, type: z.literal('view_closed'), view: closedView });
const globalShortcut = z.looseObject({ ...interactionBase, type: z.literal('shortcut'), callback_id: text });
const messageShortcut = z.looseObject({
  ...interactionBase,
  type: z.literal('message_action'),
  callback_id: text,
  channel: idRef,
  message: z.looseObject({ ts: text }),
});
const blockSuggestion = z.looseObject({
  ...interactionBase,
  type: z.literal('block_suggestion'),
  action_id: text,
  block_id: text,
  value: text,
  view: view.optional(),
});

/** The `payload` of an interactivity post. */
export const interactionEnvelope = z.discriminatedUnion('type', [
  blockActions,
  viewSubmission,
  viewClosed,
  globalShortcut,
  messageShortcut,
  blockSuggestion,
]);

/** A slash command (form fields: one string each; a repeated field parses as a list and is refused). */
export const commandEnvelope = z.looseObject({
  command: text.regex(/^\//),
  text,
  user_id: text,
  channel_id: text,
  team_id: slackId,
  trigger_id: text,
  response_url: httpUrl,
  enterprise_id: slackId.optional(),
  is_enterprise_install: text.optional(),
  api_app_id: text.optional(),
});

const stringOrRef = z.union([text, z.looseObject({ id: text.optional() })]);
const event = z.looseObject({
  type: text,
  user: stringOrRef.optional(),
  channel: stringOrRef.optional(),
  channel_id: text.optional(),
  item: z.looseObject({ type: text.optional(), channel: text.optional(), ts: text.optional() }).optional(),
  subteam: z.looseObject({}).optional(),
  subtype: text.optional(),
  ts: text.optional(),
  thread_ts: text.optional(),
  event_ts: text.optional(),
  bot_id: text.optional(),
  message: z.looseObject({}).optional(),
  previous_message: z.looseObject({}).optional(),
  assistant_thread: z.looseObject({}).optional(),
});

/** An Events API delivery. */
export const eventEnvelope = z.looseObject({
  type: z.literal('event_callback'),
  event_id: text,
  team_id: slackId.optional(),
  enterprise_id: slackId.nullish(),
  api_app_id: text.optional(),
  authorizations: z
    .array(
      z.looseObject({
        team_id: slackId.nullish(),
        enterprise_id: slackId.nullish(),
        is_enterprise_install: z.boolean().optional(),
      }),
    )
    .optional(),
  event,
});

export const urlVerification = z.looseObject({ type: z.literal('url_verification'), challenge: text });

/** What the guard decided a body is. */
export type Envelope =
  | { kind: 'ssl_check' }
  | { kind: 'url_verification' }
  | { kind: 'event'; id: string }
  | { kind: 'interaction'; type: string; id: string | undefined }
  | { kind: 'command'; id: string }
  /** A JSON envelope Bolt would not route (e.g. `app_rate_limited`): acknowledged, nothing else. */
  | { kind: 'notice'; type: string }
  | { kind: 'invalid'; reason: string };

/** Where a zod failure was, never what was there (the body may be anonymous content). */
function reasonOf(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || '(root)';
  return `${what}: ${issue?.code ?? 'invalid'} at ${path}`;
}

/**
 * Classifies a signed body. `form` is the parsed form (urlencoded posts), or undefined for JSON
 * posts, in which case `json` is the parsed JSON value.
 */
export function classifyBody(form: Record<string, unknown> | undefined, json: unknown): Envelope {
  if (form) {
    if (form.ssl_check === '1') return { kind: 'ssl_check' };
    if ('payload' in form) {
      const payload = interactionEnvelope.safeParse(json);
      if (!payload.success) return { kind: 'invalid', reason: reasonOf(payload.error, 'interaction payload') };
      return { kind: 'interaction', type: payload.data.type, id: payload.data.trigger_id };
    }
    const command = commandEnvelope.safeParse(form);
    if (!command.success) return { kind: 'invalid', reason: reasonOf(command.error, 'slash command') };
    return { kind: 'command', id: command.data.trigger_id };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { kind: 'invalid', reason: `JSON body is ${Array.isArray(json) ? 'an array' : String(typeof json)}` };
  }
  const type = (json as { type?: unknown }).type;
  if (type === 'url_verification') {
    const parsed = urlVerification.safeParse(json);
    return parsed.success ? { kind: 'url_verification' } : { kind: 'invalid', reason: reasonOf(parsed.error, type) };
  }
  if (type === 'event_callback') {
    const parsed = eventEnvelope.safeParse(json);
    return parsed.success
      ? { kind: 'event', id: parsed.data.event_id }
      : { kind: 'invalid', reason: reasonOf(parsed.error, 'event') };
  }
  // Another kind of Events API notice (e.g. `app_rate_limited`); its type is a short identifier.
  if (typeof type === 'string' && /^[a-z_]{1,64}$/.test(type)) return { kind: 'notice', type };
  return { kind: 'invalid', reason: 'JSON body has no envelope type' };
}
