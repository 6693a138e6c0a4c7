import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';

type Conn = Kysely<Database> | Transaction<Database>;

/**
 * A member says "I was there". The occurrence then counts as recorded (coordinators can still
 * correct the list from `/cop meeting`); a second click changes nothing.
 */
export async function markAttended(db: Kysely<Database>, occurrenceId: number, userId: string, now: Date) {
  return db.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto('meeting_attendance')
      .values({ occurrence_id: occurrenceId, user_id: userId })
      .onConflict((oc) => oc.columns(['occurrence_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    await trx
      .updateTable('meeting_occurrences')
      .set({ attendance_recorded_at: now })
      .where('id', '=', occurrenceId)
      .where('attendance_recorded_at', 'is', null)
      .execute();
    return added !== undefined;
  });
}

export interface HeldOccurrence {
  readonly startsAt: Date;
  readonly attendees: Set<string>;
}

/**
 * Occurrences of the meeting that were held before `before`, newest first, with who came: those
 * whose reminders went out or whose attendance was recorded. Skipped dates never get reminders;
 * the caller still drops any whose date was skipped afterwards.
 */
export async function heldOccurrences(db: Conn, meetingId: number, before: Date): Promise<HeldOccurrence[]> {
  const rows = await db
    .selectFrom('meeting_occurrences as o')
    .leftJoin('meeting_attendance as a', 'a.occurrence_id', 'o.id')
    .select(['o.id', 'o.starts_at', 'a.user_id'])
    .where('o.meeting_id', '=', meetingId)
    .where('o.starts_at', '<', before)
    .where((eb) => eb.or([eb('o.reminders_queued_at', 'is not', null), eb('o.attendance_recorded_at', 'is not', null)]))
    .orderBy('o.starts_at', 'desc')
    .execute();
  const byId = new Map<number, HeldOccurrence>();
  for (const row of rows) {
    const held = byId.get(row.id) ?? { startsAt: row.starts_at, attendees: new Set<string>() };
    if (row.user_id) held.attendees.add(row.user_id);
    byId.set(row.id, held);
  }
  return [...byId.values()];
}
