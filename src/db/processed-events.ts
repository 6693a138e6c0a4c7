import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

type Conn = Kysely<Database> | Transaction<Database>;

/**
 * Slack event ids already applied (processed_events): Slack retries an event it thinks was not
 * delivered, and a retry must not apply it twice. Storage plumbing, for any feature's events.
 */
/** Marks an event as applied inside the caller's transaction; false when it already was. */
export async function claimEvent(trx: Conn, eventId: string): Promise<boolean> {
  const row = await trx
    .insertInto('processed_events')
    .values({ event_id: eventId })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function pruneProcessedEvents(db: Conn, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('processed_events').where('processed_at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
