import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';

type Conn = Kysely<Database> | Transaction<Database>;

export function listCops(db: Conn) {
  return db.selectFrom('cops').select(['id', 'channel_id', 'created_at']).orderBy('id').execute();
}

/** Claims a CoP's monthly post: true for the one instance whose row went in. */
export async function claimMonthlyPost(db: Conn, copId: number, month: string, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('health_posts')
    .values({ cop_id: copId, month, claimed_at: now })
    .onConflict((oc) => oc.columns(['cop_id', 'month']).doNothing())
    .returning('month')
    .executeTakeFirst();
  return row !== undefined;
}

export async function markPosted(
  db: Conn,
  copId: number,
  month: string,
  post: { summary: string; fileId: string | null; permalink: string | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('health_posts')
    .set({ posted_at: now, summary: post.summary, file_id: post.fileId, permalink: post.permalink })
    .where('cop_id', '=', copId)
    .where('month', '=', month)
    .execute();
}

/** Gives a claim back (the post failed before anything reached Slack), so a later tick tries again. */
export async function releaseClaim(db: Conn, copId: number, month: string): Promise<void> {
  await db
    .deleteFrom('health_posts')
    .where('cop_id', '=', copId)
    .where('month', '=', month)
    .where('posted_at', 'is', null)
    .execute();
}

export function latestPost(db: Conn, copId: number) {
  return db
    .selectFrom('health_posts')
    .selectAll()
    .where('cop_id', '=', copId)
    .where('posted_at', 'is not', null)
    .orderBy('month', 'desc')
    .executeTakeFirst();
}
