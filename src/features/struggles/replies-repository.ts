import { sql, type Kysely } from 'kysely';
import type { Database, StruggleReplyKind } from '../../db/schema';
import { rateDecision, RATE_WINDOW_MS, type RateDecision } from './rules';
import { lockCop, REPLY_COLUMNS, type Conn, type ReplyRow } from './tables';

export type { ReplyRow } from './tables';

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
