import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  WebClient,
  type ChatPostMessageArguments,
  type ConversationsHistoryResponse,
  type ConversationsRepliesResponse,
} from '@slack/web-api';
import type { AppLogger } from '../logger';

/** The metadata event type every message the bot posts carries, with its key in the payload. */
export const POST_EVENT_TYPE = 'cop_post';

export interface PostOnceOptions {
  /**
   * Stable per message that must appear once (`proposal:12`, `reminder:…`). Without one, a fresh
   * key still keeps this call's own retries from doubling the message.
   */
  key?: string;
  /**
   * Look for the message before the first try: the caller tried before (an outbox row claimed
   * again) and may have posted it then.
   */
  lookFirst?: boolean;
  /** When the message could first have been posted; where the lookup starts. Default: now. */
  since?: Date;
  /** 'throw' hands a 429 back at once (the outbox paces every sender itself); default waits and tries again. */
  onRateLimit?: 'wait' | 'throw';
  logger?: AppLogger;
}

export interface Posted {
  channel: string;
  ts: string;
  /** True when an earlier try had posted it and the lookup found it. */
  found: boolean;
}

const ATTEMPTS = 4;
const TIMEOUT_MS = 10_000;
const LOOKUP_WINDOW = 200;

// postMessage goes through a client that never retries on its own: a 5xx or a timeout may
// mean the message was posted, and only a lookup can tell. 429s come back at once too.
const senders = new WeakMap<WebClient, WebClient>();
function senderFor(client: WebClient, logger: AppLogger | undefined): WebClient {
  let sender = senders.get(client);
  if (!sender) {
    sender = new WebClient(client.token, {
      slackApiUrl: client.slackApiUrl,
      ...(logger ? { logger: logger.child('web-api') } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: TIMEOUT_MS,
    });
    senders.set(client, sender);
  }
  return sender;
}

/**
 * chat.postMessage, never twice. Each message carries metadata `{event_type: 'cop_post',
 * event_payload: {key}}`. A definite refusal (`ok: false`) is thrown as is; after a 5xx, a
 * timeout or a dropped connection the message may have been posted, so before posting again the
 * channel (or thread) is searched for the key, and a message found is returned instead.
 */
export async function postOnce(
  client: WebClient,
  message: ChatPostMessageArguments,
  options: PostOnceOptions = {},
): Promise<Posted> {
  const sender = senderFor(client, options.logger);
  const key = options.key ?? `once:${randomUUID()}`;
  const since = options.since ?? new Date();
  const withMetadata = {
    ...message,
    metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } },
  } as ChatPostMessageArguments;
  let uncertain = options.lookFirst ?? false;
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    if (uncertain) {
      const found = await findPosted(sender, message, key, since).catch((error: unknown) => {
        lastError = error;
        return null;
      });
      // The lookup failed: whether it was posted is still unknown, so do not post; wait and look again.
      if (found === null) {
        await pause(attempt);
        continue;
      }
      if (found) {
        options.logger?.info(`post ${key}: an earlier try had posted it; not posting again`);
        return { ...found, found: true };
      }
    }
    try {
      const posted = await sender.chat.postMessage(withMetadata);
      if (!posted.ts || !posted.channel) throw new Error('chat.postMessage returned no channel or ts');
      return { channel: posted.channel, ts: posted.ts, found: false };
    } catch (error) {
      lastError = error;
      const code = (error as { code?: string }).code;
      if (code === ErrorCode.PlatformError) throw error;
      if (code === ErrorCode.RateLimitedError) {
        if (options.onRateLimit === 'throw') throw error;
        const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, seconds) * 1000));
        continue;
      }
      uncertain = true;
      options.logger?.warn(
        `post ${key}: attempt ${attempt} failed (${describe(error)}); looking for it before trying again`,
      );
    }
  }
  throw lastError;
}

/**
 * The message with this key posted since `since`: in the thread for a reply, else in the
 * channel (a DM's channel for a user ID). `undefined` when it is not there.
 */
async function findPosted(
  client: WebClient,
  message: ChatPostMessageArguments,
  key: string,
  since: Date,
): Promise<{ channel: string; ts: string } | undefined> {
  let channel = message.channel;
  if (/^[UW]/.test(channel)) {
    const opened = await client.conversations.open({ users: channel });
    channel = opened.channel?.id ?? channel;
  }
  // A minute of slack for clocks that disagree; the key does the matching.
  const oldest = String(Math.floor(since.getTime() / 1000) - 60);
  const threadTs = 'thread_ts' in message ? message.thread_ts : undefined;
  const page: ConversationsHistoryResponse | ConversationsRepliesResponse = threadTs
    ? await client.conversations.replies({
        channel,
        ts: threadTs,
        oldest,
        include_all_metadata: true,
        limit: LOOKUP_WINDOW,
      })
    : await client.conversations.history({ channel, oldest, include_all_metadata: true, limit: LOOKUP_WINDOW });
  const hit = (page.messages ?? []).find(
    (m) => m.metadata?.event_type === POST_EVENT_TYPE && (m.metadata.event_payload as { key?: unknown })?.key === key,
  );
  return hit?.ts ? { channel, ts: hit.ts } : undefined;
}

function pause(attempt: number): Promise<void> {
  const ms = Math.min(2_000, 200 * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, ms * (0.5 + Math.random() / 2)));
}

function describe(error: unknown): string {
  const status = (error as { statusCode?: number }).statusCode;
  if (status) return `HTTP ${status}`;
  return error instanceof Error ? error.message : 'unknown error';
}
