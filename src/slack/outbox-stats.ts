import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** Queued DMs not sent yet (for /metrics). */
export async function pendingDms(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
