import type { Kysely, Transaction } from 'kysely';
import type { Database, Struggle, StruggleReply } from '../../db/schema';

export type Conn = Kysely<Database> | Transaction<Database>;

// Columns safe to hand around (everything but the generated search vector).
export const STRUGGLE_COLUMNS = [
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
export const REPLY_COLUMNS = [
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

/** Serialises rate-limit decisions of one CoP: concurrent posts wait for each other here. */
export async function lockCop(trx: Transaction<Database>, copId: number): Promise<void> {
  await trx.selectFrom('cops').select('id').where('id', '=', copId).forUpdate().execute();
}
