import type { KnownBlock } from '@slack/types';
import { ErrorCode, type WebClient } from '@slack/web-api';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OutboxMessage } from '../db/schema';
import type { AppLogger } from '../logger';
import { rateLimited as slackRateLimited } from '../metrics';
import { postOnce } from './post';

type Conn = Kysely<Database> | Transaction<Database>;

export interface OutgoingDm {
  /** Unique per message that must go out once, e.g. `reminder:<meeting>:<occurrence>:<user>`. */
  dedupeKey: string;
  /** What it is for, in logs: `nudge`, `reminder`, … */
  purpose: string;
  /** A user ID: Slack delivers a post to a user ID as a DM from the bot. */
  recipient: string;
  text: string;
  blocks?: KnownBlock[];
  notBefore: Date;
  /** Past this, the message is dropped unsent (a reminder after its meeting is noise). */
  expiresAt?: Date;
}

/** Queues DMs; a key already queued (by this or any instance) is ignored. Returns how many were new. */
export async function enqueueDms(db: Conn, messages: OutgoingDm[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < messages.length; i += 500) {
    const rows = await db
      .insertInto('outbox')
      .values(
        messages.slice(i, i + 500).map((m) => ({
          dedupe_key: m.dedupeKey,
          purpose: m.purpose,
          recipient: m.recipient,
          text: m.text,
          // pg needs JSON text for jsonb; PGlite accepts it too.
          blocks: m.blocks ? JSON.stringify(m.blocks) : null,
          not_before: m.notBefore,
          expires_at: m.expiresAt ?? null,
        })),
      )
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .execute();
    added += rows.length;
  }
  return added;
}

// Slack errors after which retrying the same DM cannot succeed.
const PERMANENT_ERRORS = new Set([
  'user_not_found',
  'channel_not_found',
  'cannot_dm_bot',
  'user_disabled',
  'account_inactive',
  'not_allowed_token_type',
  'invalid_blocks',
  'msg_too_long',
  'no_text',
  'is_archived',
]);

export interface DrainResult {
  sent: number;
  failed: number;
  expired: number;
  retried: number;
}

export interface DrainOptions {
  /** Most messages claimed per round. */
  batchSize?: number;
  /** How long a claim holds before another sender may retry the message. */
  leaseMs?: number;
  /** How many sends run at once. */
  concurrency?: number;
  /**
   * Multiplies every Retry-After wait. 1 in production; the reminders benchmark runs a
   * time-compressed fake Slack (a minute lasts a second) and sets 1/60 to match.
   */
  retryAfterScale?: number;
  /**
   * Shutdown: once aborted, no further message is sent (claimed ones go back to the queue);
   * sends already in flight finish and are recorded.
   */
  signal?: AbortSignal;
}

// A message rate-limited this often in one drain goes back to the queue for a later tick.
const MAX_RATE_LIMITED = 50;
// Stop sending a claimed message this long before its lease ends, so no other sender can
// claim it while this one is still sending it.
const LEASE_MARGIN_MS = 30_000;

/** A pause all workers of one drain observe after a 429, in real time. */
class RateGate {
  private until = 0;
  pause(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
  }
  async wait(): Promise<void> {
    for (let left = this.until - Date.now(); left > 0; left = this.until - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, left));
    }
  }
}

/**
 * Sends due DMs. Each row is claimed with FOR UPDATE SKIP LOCKED and a lease, so concurrent
 * senders (several bot instances) never send the same row twice, and a crash after the claim
 * leaves the row to be retried once the lease ends. A 429 pauses the whole drain for its
 * Retry-After and the message is sent again: the fan-out slows, nothing is dropped or doubled.
 */
export async function drainOutbox(
  db: Kysely<Database>,
  client: WebClient,
  logger: AppLogger,
  now: () => Date,
  options: DrainOptions = {},
): Promise<DrainResult> {
  const batchSize = options.batchSize ?? 200;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const concurrency = options.concurrency ?? 20;
  const scale = options.retryAfterScale ?? 1;
  const result: DrainResult = { sent: 0, failed: 0, expired: 0, retried: 0 };
  const gate = new RateGate();
  let rateLimited = 0;

  const signal = options.signal;
  while (!signal?.aborted) {
    const claimed = await claimDue(db, now(), batchSize, leaseMs);
    if (claimed.length === 0) break;
    const claimedAt = Date.now();
    const queue = [...claimed];
    const limitedTimes = new Map<number, number>();
    const worker = async () => {
      for (let message = queue.shift(); message; message = queue.shift()) {
        await gate.wait();
        if (signal?.aborted) {
          await release(db, message.id);
          continue;
        }
        if (Date.now() - claimedAt > leaseMs - LEASE_MARGIN_MS) {
          await release(db, message.id);
          continue;
        }
        const outcome = await sendOne(db, client, logger, message, now, result);
        if (outcome.mark) marks.push(outcome.mark);
        if (outcome.rateLimitedFor === undefined) continue;
        rateLimited += 1;
        slackRateLimited.inc();
        gate.pause(outcome.rateLimitedFor * 1000 * scale);
        const times = (limitedTimes.get(message.id) ?? 0) + 1;
        limitedTimes.set(message.id, times);
        if (times < MAX_RATE_LIMITED) queue.unshift(message);
        else await release(db, message.id);
      }
    };
    const marks: Promise<void>[] = [];
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
    await Promise.all(marks);
    if (claimed.length < batchSize) break;
  }
  if (result.sent + result.failed + result.expired + result.retried + rateLimited > 0) {
    logger.info(
      `outbox: sent ${result.sent}, failed ${result.failed}, expired ${result.expired}, to retry ${result.retried}` +
        (rateLimited ? `, rate-limited ${rateLimited} times (waited and sent again)` : ''),
    );
  }
  return result;
}

/** Gives a claimed message back unsent, for the next drain (here or on another instance). */
async function release(db: Kysely<Database>, id: number): Promise<void> {
  await db.updateTable('outbox').set({ lease_until: null }).where('id', '=', id).execute();
}

async function claimDue(db: Kysely<Database>, now: Date, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('not_before', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('not_before')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('outbox')
      .set({ lease_until: leaseUntil, attempts: sql<number>`attempts + 1` })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute();
  });
}

async function sendOne(
  db: Kysely<Database>,
  client: WebClient,
  logger: AppLogger,
  message: OutboxMessage,
  now: () => Date,
  result: DrainResult,
): Promise<{ rateLimitedFor?: number; mark?: Promise<void> }> {
  if (message.expires_at && message.expires_at.getTime() <= now().getTime()) {
    await db
      .updateTable('outbox')
      .set({ status: 'failed', last_error: 'expired', lease_until: null })
      .where('id', '=', message.id)
      .execute();
    result.expired += 1;
    logger.warn(`outbox: ${message.purpose} ${message.id} expired unsent`);
    return {};
  }
  let posted;
  try {
    // Claimed before (attempts > 1): an earlier send may have posted it, so postOnce looks first.
    posted = await postOnce(
      client,
      {
        channel: message.recipient,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as KnownBlock[] } : {}),
      },
      {
        key: message.dedupe_key,
        lookFirst: message.attempts > 1,
        since: message.created_at,
        onRateLimit: 'throw',
        logger,
      },
    );
  } catch (error) {
    const limited = error as { code?: string; retryAfter?: number };
    if (limited.code === ErrorCode.RateLimitedError) return { rateLimitedFor: Math.max(1, limited.retryAfter ?? 1) };
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code && PERMANENT_ERRORS.has(code)) {
      await db
        .updateTable('outbox')
        .set({ status: 'failed', last_error: code, lease_until: null })
        .where('id', '=', message.id)
        .execute();
      result.failed += 1;
      logger.warn(`outbox: ${message.purpose} ${message.id} to ${message.recipient} failed for good: ${code}`);
      return {};
    }
    // Transient (network, 5xx, rate limit beyond the client's retries): back off and let a later drain retry.
    const backoffMs = Math.min(60 * 60_000, 30_000 * 2 ** Math.min(message.attempts, 7));
    await db
      .updateTable('outbox')
      .set({
        not_before: new Date(now().getTime() + backoffMs),
        lease_until: null,
        last_error: code ?? (error instanceof Error ? error.message : 'unknown error'),
      })
      .where('id', '=', message.id)
      .execute();
    result.retried += 1;
    logger.warn(
      `outbox: ${message.purpose} ${message.id} will be retried (attempt ${message.attempts})`,
      code ?? error,
    );
    return {};
  }
  // Recording the send is not awaited by the worker, which moves on to the next message while
  // the write completes; the drain awaits every such write before it returns. The row keeps
  // its lease meanwhile, so no sender can claim it again.
  const mark = db
    .updateTable('outbox')
    .set({
      status: 'sent',
      sent_at: now(),
      lease_until: null,
      channel_id: posted.channel,
      message_ts: posted.ts,
    })
    .where('id', '=', message.id)
    .execute()
    .then(
      () => void (result.sent += 1),
      (error: unknown) =>
        logger.error(`outbox: ${message.purpose} ${message.id} was sent but not recorded; it may be sent again`, error),
    );
  return { mark };
}

/** The Slack message an outbox row became (channel and ts), e.g. to update a reminder in place. */
export function findSentDm(db: Conn, dedupeKey: string) {
  return db.selectFrom('outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}
