import type { Selectable } from 'kysely';
import type { CharterTable } from '../../db/schema';
import type { Conn } from './repository';

export type Charter = Selectable<CharterTable>;

export function findCharter(db: Conn, copId: number): Promise<Charter | undefined> {
  return db.selectFrom('charters').selectAll().where('cop_id', '=', copId).executeTakeFirst();
}

/** Claims the posting of a CoP's charter: true for exactly one caller, whatever the instances. */
export async function claimCharter(db: Conn, copId: number, channelId: string, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('charters')
    .values({ cop_id: copId, channel_id: channelId, claimed_at: now })
    .onConflict((oc) => oc.column('cop_id').doNothing())
    .returning('cop_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Takes over a claim whose poster never finished (it stopped between claim and post). */
export async function reclaimStale(db: Conn, copId: number, staleBefore: Date, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('charters')
    .set({ claimed_at: now })
    .where('cop_id', '=', copId)
    .where('message_ts', 'is', null)
    .where('claimed_at', '<', staleBefore)
    .returning('cop_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records the charter's (new) message, if it still is `expectedTs`: one of two reposts wins. */
export async function replaceMessage(
  db: Conn,
  copId: number,
  expectedTs: string | null,
  ts: string,
  hash: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('charters')
    .set({ message_ts: ts, content_hash: hash, updated_at: now })
    .where('cop_id', '=', copId)
    .where('message_ts', expectedTs === null ? 'is' : '=', expectedTs)
    .returning('cop_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function setHash(db: Conn, copId: number, hash: string, now: Date): Promise<void> {
  await db.updateTable('charters').set({ content_hash: hash, updated_at: now }).where('cop_id', '=', copId).execute();
}

/** CoPs that have a charter, or adopted norms to put in one. */
export async function charterCopIds(db: Conn): Promise<number[]> {
  const rows = await db
    .selectFrom('charters')
    .select('cop_id')
    .union(db.selectFrom('norms').select('cop_id').where('status', '=', 'adopted'))
    .execute();
  return rows.map((r) => r.cop_id);
}
