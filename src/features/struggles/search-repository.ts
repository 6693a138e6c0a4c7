import { sql } from 'kysely';
import { REPLY_COLUMNS, type Conn, type ReplyRow } from './tables';

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
