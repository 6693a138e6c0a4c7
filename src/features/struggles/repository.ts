import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { rateDecision, RATE_WINDOW_MS, type RateDecision, type StruggleInput } from './rules';
import { lockCop, STRUGGLE_COLUMNS, type Conn, type StruggleRow } from './tables';

export type { StruggleRow } from './tables';

// ---- Rate limit ----------------------------------------------------------

/** When the CoP's anonymous struggles of the last hour were posted (including ones on their way). */
export async function recentStruggleTimes(db: Conn, copId: number, now: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('struggles')
    .select('created_at')
    .where('cop_id', '=', copId)
    .where('created_at', '>', new Date(now.getTime() - RATE_WINDOW_MS))
    .execute();
  return rows.map((r) => r.created_at);
}

// ---- Struggles -----------------------------------------------------------

/**
 * Takes one of the CoP's hourly slots for a struggle and stores it unposted (no message yet).
 * The caller posts it, then confirms it or discards it, so a refused post leaves nothing.
 */
export async function reserveStruggle(
  db: Kysely<Database>,
  input: { copId: number; channelId: string; struggle: StruggleInput; now: Date; limit: number },
): Promise<{ reserved: StruggleRow } | { reserved?: undefined; decision: RateDecision }> {
  return db.transaction().execute(async (trx) => {
    await lockCop(trx, input.copId);
    const decision = rateDecision(await recentStruggleTimes(trx, input.copId, input.now), input.now, input.limit);
    if (!decision.allowed) return { decision };
    const reserved = await trx
      .insertInto('struggles')
      .values({
        cop_id: input.copId,
        channel_id: input.channelId,
        text: input.struggle.text,
        tags: input.struggle.tags,
        tried: input.struggle.tried,
        created_at: input.now,
      })
      .returning(STRUGGLE_COLUMNS)
      .executeTakeFirstOrThrow();
    return { reserved };
  });
}

export async function confirmStruggle(db: Conn, id: number, messageTs: string, permalink: string | null) {
  await db.updateTable('struggles').set({ message_ts: messageTs, permalink }).where('id', '=', id).execute();
}

/** Removes a struggle whose post never made it to Slack. */
export async function discardStruggle(db: Conn, id: number): Promise<void> {
  await db.deleteFrom('struggles').where('id', '=', id).where('message_ts', 'is', null).execute();
}

/** Unposted struggles left behind by a crash between reserving and posting. */
export async function pruneUnposted(db: Conn, olderThan: Date): Promise<number> {
  const struggles = await db
    .deleteFrom('struggles')
    .where('message_ts', 'is', null)
    .where('created_at', '<', olderThan)
    .executeTakeFirst();
  const replies = await db
    .deleteFrom('struggle_replies')
    .where('message_ts', 'is', null)
    .where('created_at', '<', olderThan)
    .executeTakeFirst();
  return Number(struggles.numDeletedRows) + Number(replies.numDeletedRows);
}

export function findStruggle(db: Conn, id: number): Promise<StruggleRow | undefined> {
  return db.selectFrom('struggles').select(STRUGGLE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findStruggleByMessage(db: Conn, channelId: string, ts: string): Promise<StruggleRow | undefined> {
  return db
    .selectFrom('struggles')
    .select(STRUGGLE_COLUMNS)
    .where('channel_id', '=', channelId)
    .where('message_ts', '=', ts)
    .executeTakeFirst();
}

/** Marks it resolved; undefined when it was already resolved (or does not exist). */
export function resolveStruggle(db: Conn, id: number, now: Date): Promise<StruggleRow | undefined> {
  return db
    .updateTable('struggles')
    .set({ resolved_at: now })
    .where('id', '=', id)
    .where('resolved_at', 'is', null)
    .returning(STRUGGLE_COLUMNS)
    .executeTakeFirst();
}

/** Hides it; undefined when it was already hidden. */
export function hideStruggle(db: Conn, id: number, now: Date): Promise<StruggleRow | undefined> {
  return db
    .updateTable('struggles')
    .set({ hidden_at: now })
    .where('id', '=', id)
    .where('hidden_at', 'is', null)
    .returning(STRUGGLE_COLUMNS)
    .executeTakeFirst();
}

export interface StruggleSummary {
  id: number;
  excerpt: string;
  channelId: string;
  messageTs: string;
  permalink: string | null;
  createdAt: Date;
  resolved: boolean;
}

function summary(row: StruggleRow): StruggleSummary {
  return {
    id: row.id,
    excerpt: row.text.replace(/\s+/g, ' ').trim().slice(0, 200),
    channelId: row.channel_id,
    messageTs: row.message_ts ?? '',
    permalink: row.permalink,
    createdAt: row.created_at,
    resolved: row.resolved_at !== null,
  };
}

/** The CoP's newest visible struggles. */
export async function listRecentStruggles(db: Conn, copId: number, limit: number): Promise<StruggleSummary[]> {
  const rows = await db
    .selectFrom('struggles')
    .select(STRUGGLE_COLUMNS)
    .where('cop_id', '=', copId)
    .where('message_ts', 'is not', null)
    .where('hidden_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(summary);
}

/**
 * Struggles posted since a date, oldest first, hidden ones left out: for a meeting's agenda.
 * The excerpt is the member's raw text; escape it (escapeText) before showing it in Slack.
 */
export async function listStrugglesSince(db: Conn, copId: number, since: Date): Promise<StruggleSummary[]> {
  const rows = await db
    .selectFrom('struggles')
    .select(STRUGGLE_COLUMNS)
    .where('cop_id', '=', copId)
    .where('message_ts', 'is not', null)
    .where('hidden_at', 'is', null)
    .where('created_at', '>=', since)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(summary);
}
