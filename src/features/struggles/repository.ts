import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Struggle, StruggleReply, StruggleReplyKind } from '../../db/schema';
import { rateDecision, RATE_WINDOW_MS, type RateDecision, type StruggleInput } from './rules';

type Conn = Kysely<Database> | Transaction<Database>;

// Columns safe to hand around (everything but the generated search vector).
const STRUGGLE_COLUMNS = [
  'id',
  'cop_id',
  'text',
  'tags',
  'tried',
  'channel_id',
  'message_ts',
  'permalink',
  'created_at',
  'resolved_at',
  'hidden_at',
] as const;
const REPLY_COLUMNS = [
  'id',
  'struggle_id',
  'kind',
  'user_id',
  'text',
  'message_ts',
  'created_at',
  'helpful_count',
  'marked_helpful',
  'hidden_at',
] as const;

export type StruggleRow = Omit<Struggle, 'search'>;
export type ReplyRow = Omit<StruggleReply, 'search'>;

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

/** When the CoP's anonymous replies and follow-ups of the last hour were posted. */
export async function recentAnonymousReplyTimes(db: Conn, copId: number, now: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('struggle_replies')
    .innerJoin('struggles', 'struggles.id', 'struggle_replies.struggle_id')
    .select('struggle_replies.created_at')
    .where('struggles.cop_id', '=', copId)
    .where('struggle_replies.kind', 'in', ['anonymous', 'original_poster'])
    .where('struggle_replies.created_at', '>', new Date(now.getTime() - RATE_WINDOW_MS))
    .execute();
  return rows.map((r) => r.created_at);
}

/** Serialises rate-limit decisions of one CoP: concurrent posts wait for each other here. */
async function lockCop(trx: Transaction<Database>, copId: number): Promise<void> {
  await trx.selectFrom('cops').select('id').where('id', '=', copId).forUpdate().execute();
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

// ---- Replies -------------------------------------------------------------

/** Takes one of the CoP's hourly slots for an anonymous reply and stores it unposted. */
export async function reserveAnonymousReply(
  db: Kysely<Database>,
  input: {
    copId: number;
    struggleId: number;
    kind: 'anonymous' | 'original_poster';
    text: string;
    now: Date;
    limit: number;
  },
): Promise<{ reserved: ReplyRow } | { reserved?: undefined; decision: RateDecision }> {
  return db.transaction().execute(async (trx) => {
    await lockCop(trx, input.copId);
    const times = await recentAnonymousReplyTimes(trx, input.copId, input.now);
    const decision = rateDecision(times, input.now, input.limit);
    if (!decision.allowed) return { decision };
    const reserved = await trx
      .insertInto('struggle_replies')
      .values({ struggle_id: input.struggleId, kind: input.kind, text: input.text, created_at: input.now })
      .returning(REPLY_COLUMNS)
      .executeTakeFirstOrThrow();
    return { reserved };
  });
}

export async function confirmReply(db: Conn, id: number, messageTs: string): Promise<void> {
  await db.updateTable('struggle_replies').set({ message_ts: messageTs }).where('id', '=', id).execute();
}

export async function discardReply(db: Conn, id: number): Promise<void> {
  await db.deleteFrom('struggle_replies').where('id', '=', id).where('message_ts', 'is', null).execute();
}

/** A member's ordinary thread reply (not anonymous: Slack shows who wrote it). */
export async function storeMemberReply(
  db: Conn,
  input: { struggleId: number; userId: string; text: string; messageTs: string; now: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('struggle_replies')
    .values({
      struggle_id: input.struggleId,
      kind: 'member' satisfies StruggleReplyKind,
      user_id: input.userId,
      text: input.text,
      message_ts: input.messageTs,
      created_at: input.now,
    })
    .onConflict((oc) => oc.columns(['struggle_id', 'message_ts']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export function findReplyByMessage(
  db: Conn,
  channelId: string,
  ts: string,
): Promise<(ReplyRow & { cop_id: number }) | undefined> {
  return db
    .selectFrom('struggle_replies')
    .innerJoin('struggles', 'struggles.id', 'struggle_replies.struggle_id')
    .select(REPLY_COLUMNS.map((c) => `struggle_replies.${c}` as const))
    .select('struggles.cop_id')
    .where('struggles.channel_id', '=', channelId)
    .where('struggle_replies.message_ts', '=', ts)
    .executeTakeFirst();
}

export function findReply(db: Conn, id: number): Promise<ReplyRow | undefined> {
  return db.selectFrom('struggle_replies').select(REPLY_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** A member edited their thread reply. Only members' replies follow edits; ours are ours. */
export async function updateMemberReplyText(db: Conn, replyId: number, text: string): Promise<void> {
  await db
    .updateTable('struggle_replies')
    .set({ text })
    .where('id', '=', replyId)
    .where('kind', '=', 'member')
    .execute();
}

export async function deleteReply(db: Conn, replyId: number): Promise<void> {
  await db.deleteFrom('struggle_replies').where('id', '=', replyId).execute();
}

export async function adjustHelpful(db: Conn, replyId: number, delta: 1 | -1): Promise<void> {
  await db
    .updateTable('struggle_replies')
    .set({ helpful_count: sql<number>`greatest(0, helpful_count + ${delta})` })
    .where('id', '=', replyId)
    .execute();
}

export async function markHelpful(db: Conn, replyId: number): Promise<void> {
  await db.updateTable('struggle_replies').set({ marked_helpful: true }).where('id', '=', replyId).execute();
}

export function hideReply(db: Conn, id: number, now: Date): Promise<ReplyRow | undefined> {
  return db
    .updateTable('struggle_replies')
    .set({ hidden_at: now })
    .where('id', '=', id)
    .where('hidden_at', 'is', null)
    .returning(REPLY_COLUMNS)
    .executeTakeFirst();
}

/** Visible helpful answers of these struggles, most appreciated first. */
export async function helpfulAnswers(db: Conn, struggleIds: number[]): Promise<ReplyRow[]> {
  if (struggleIds.length === 0) return [];
  return db
    .selectFrom('struggle_replies')
    .select(REPLY_COLUMNS)
    .where('struggle_id', 'in', struggleIds)
    .where('hidden_at', 'is', null)
    .where('message_ts', 'is not', null)
    .where((eb) => eb.or([eb('helpful_count', '>', 0), eb('marked_helpful', '=', true)]))
    .orderBy('helpful_count', 'desc')
    .orderBy('id')
    .execute();
}

// ---- Search --------------------------------------------------------------

export interface SearchHit {
  id: number;
  text: string;
  tags: string;
  channelId: string;
  messageTs: string;
  permalink: string | null;
  resolved: boolean;
  rank: number;
}

/**
 * Full-text search over a CoP's visible struggles and their visible replies, best first.
 * A struggle matches through its own words (text, topics, what was tried) or any reply's;
 * helpful replies weigh double.
 */
export async function searchStruggles(db: Conn, copId: number, words: string, limit: number): Promise<SearchHit[]> {
  const query = sql`websearch_to_tsquery('english', ${words})`;
  const replyRank = sql<number>`coalesce((
      select max(ts_rank(r.search, ${query}) * case when r.helpful_count > 0 or r.marked_helpful then 2 else 1 end)
      from struggle_replies r
      where r.struggle_id = s.id and r.hidden_at is null and r.message_ts is not null and r.search @@ ${query}
    ), 0)`;
  const rows = await db
    .selectFrom('struggles as s')
    .select([
      's.id',
      's.text',
      's.tags',
      's.channel_id',
      's.message_ts',
      's.permalink',
      's.resolved_at',
      sql<number>`ts_rank(s.search, ${query}) + 0.5 * ${replyRank}`.as('rank'),
    ])
    .where('s.cop_id', '=', copId)
    .where('s.hidden_at', 'is', null)
    .where('s.message_ts', 'is not', null)
    .where(
      sql<boolean>`(s.search @@ ${query} or exists (
        select 1 from struggle_replies r
        where r.struggle_id = s.id and r.hidden_at is null and r.message_ts is not null and r.search @@ ${query}
      ))`,
    )
    .orderBy('rank', 'desc')
    .orderBy('s.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    text: r.text,
    tags: r.tags,
    channelId: r.channel_id,
    messageTs: r.message_ts ?? '',
    permalink: r.permalink,
    resolved: r.resolved_at !== null,
    rank: Number(r.rank),
  }));
}
