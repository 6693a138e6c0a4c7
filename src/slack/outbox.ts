import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OutboxMessage } from '../db/schema';
import type { AppLogger } from '../logger';

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
  /** How many sends run at once (the Web API client still queues and honours 429s). */
  concurrency?: number;
}

/**
 * Sends due DMs. Each row is claimed with FOR UPDATE SKIP LOCKED and a lease, so concurrent
 * senders (several bot instances) never send the same row twice, and a crash after the claim
 * leaves the row to be retried once the lease ends. Rate limits (429 + Retry-After) are waited
 * out by the Web API client, which slows the fan-out without dropping anything.
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
  const concurrency = options.concurrency ?? 10;
  const result: DrainResult = { sent: 0, failed: 0, expired: 0, retried: 0 };

  for (;;) {
    const claimed = await claimDue(db, now(), batchSize, leaseMs);
    if (claimed.length === 0) break;
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const message = claimed[next++]!;
        await sendOne(db, client, logger, message, now, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
    if (claimed.length < batchSize) break;
  }
  if (result.sent + result.failed + result.expired + result.retried > 0) {
    logger.info(
      `outbox: sent ${result.sent}, failed ${result.failed}, expired ${result.expired}, to retry ${result.retried}`,
    );
  }
  return result;
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
): Promise<void> {
  if (message.expires_at && message.expires_at.getTime() <= now().getTime()) {
    await db
      .updateTable('outbox')
      .set({ status: 'failed', last_error: 'expired', lease_until: null })
      .where('id', '=', message.id)
      .execute();
    result.expired += 1;
    logger.warn(`outbox: ${message.purpose} ${message.id} expired unsent`);
    return;
  }
  try {
    const posted = await client.chat.postMessage({
      channel: message.recipient,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks as KnownBlock[] } : {}),
    });
    await db
      .updateTable('outbox')
      .set({
        status: 'sent',
        sent_at: now(),
        lease_until: null,
        channel_id: posted.channel ?? null,
        message_ts: posted.ts ?? null,
      })
      .where('id', '=', message.id)
      .execute();
    result.sent += 1;
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code && PERMANENT_ERRORS.has(code)) {
      await db
        .updateTable('outbox')
        .set({ status: 'failed', last_error: code, lease_until: null })
        .where('id', '=', message.id)
        .execute();
      result.failed += 1;
      logger.warn(`outbox: ${message.purpose} ${message.id} to ${message.recipient} failed for good: ${code}`);
      return;
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
  }
}

/** The Slack message an outbox row became (channel and ts), e.g. to update a reminder in place. */
export function findSentDm(db: Conn, dedupeKey: string) {
  return db.selectFrom('outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}
