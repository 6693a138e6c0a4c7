import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';

type Conn = Kysely<Database> | Transaction<Database>;

// ---- RSVPs, topics, attendance --------------------------------------------

export async function setRsvp(db: Conn, occurrenceId: number, userId: string, coming: boolean, now: Date) {
  await db
    .insertInto('meeting_rsvps')
    .values({ occurrence_id: occurrenceId, user_id: userId, coming, updated_at: now })
    .onConflict((oc) => oc.columns(['occurrence_id', 'user_id']).doUpdateSet({ coming, updated_at: now }))
    .execute();
}

export function listRsvps(db: Conn, occurrenceId: number) {
  return db
    .selectFrom('meeting_rsvps')
    .select(['user_id', 'coming'])
    .where('occurrence_id', '=', occurrenceId)
    .orderBy('updated_at')
    .orderBy('user_id')
    .execute();
}

export async function addTopic(db: Conn, occurrenceId: number, userId: string, text: string, now: Date) {
  await db
    .insertInto('meeting_topics')
    .values({ occurrence_id: occurrenceId, added_by: userId, text, created_at: now })
    .execute();
}

export async function listTopics(db: Conn, occurrenceId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('meeting_topics')
    .select('text')
    .where('occurrence_id', '=', occurrenceId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.text);
}

/** Replaces who attended an occurrence, in one transaction. */
export async function recordAttendance(
  db: Kysely<Database>,
  occurrenceId: number,
  userIds: string[],
  by: string,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('meeting_attendance').where('occurrence_id', '=', occurrenceId).execute();
    if (userIds.length) {
      await trx
        .insertInto('meeting_attendance')
        .values(userIds.map((user_id) => ({ occurrence_id: occurrenceId, user_id })))
        .execute();
    }
    await trx
      .updateTable('meeting_occurrences')
      .set({ attendance_recorded_at: now, attendance_recorded_by: by })
      .where('id', '=', occurrenceId)
      .execute();
  });
}

export async function listAttendance(db: Conn, occurrenceId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('meeting_attendance')
    .select('user_id')
    .where('occurrence_id', '=', occurrenceId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

/** For each occurrence with attendance recorded, newest first: whether the user attended. */
export async function attendanceHistory(db: Conn, meetingId: number, userId: string): Promise<boolean[]> {
  const rows = await db
    .selectFrom('meeting_occurrences as o')
    .leftJoin('meeting_attendance as a', (join) =>
      join.onRef('a.occurrence_id', '=', 'o.id').on('a.user_id', '=', userId),
    )
    .select(['o.id', 'a.user_id'])
    .where('o.meeting_id', '=', meetingId)
    .where('o.attendance_recorded_at', 'is not', null)
    .orderBy('o.starts_at', 'desc')
    .execute();
  return rows.map((r) => r.user_id !== null);
}

// ---- Reminder opt-outs and recipients ----------------------------------------

/** Turns a member's reminders off (true) or back on (false); returns whether anything changed. */
export async function setOptOut(db: Conn, copId: number, userId: string, off: boolean, now: Date) {
  if (off) {
    const row = await db
      .insertInto('reminder_optouts')
      .values({ cop_id: copId, user_id: userId, created_at: now })
      .onConflict((oc) => oc.columns(['cop_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    return row !== undefined;
  }
  const result = await db
    .deleteFrom('reminder_optouts')
    .where('cop_id', '=', copId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function isOptedOut(db: Conn, copId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('reminder_optouts')
    .select('user_id')
    .where('cop_id', '=', copId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every member with what the reminder needs: cached zone, bot flag, opt-out. One query. */
export async function listReminderAudience(db: Conn, copId: number) {
  const rows = await db
    .selectFrom('members as m')
    .leftJoin('slack_users as u', 'u.user_id', 'm.user_id')
    .leftJoin('reminder_optouts as o', (join) =>
      join.onRef('o.cop_id', '=', 'm.cop_id').onRef('o.user_id', '=', 'm.user_id'),
    )
    .select(['m.user_id', 'u.tz', 'u.is_bot', 'u.deleted', 'u.updated_at', 'o.user_id as opted_out'])
    .where('m.cop_id', '=', copId)
    .orderBy('m.user_id')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    tz: r.tz ?? null,
    isBot: Boolean(r.is_bot) || Boolean(r.deleted),
    optedOut: r.opted_out !== null,
    /** When the cache last heard from Slack about this user (null: never). */
    checkedAt: r.updated_at ?? null,
  }));
}

/** The cached zone of a user and when it was last read from Slack; undefined if never. */
export async function findUserTz(
  db: Conn,
  userId: string,
): Promise<{ tz: string | null; checkedAt: Date } | undefined> {
  const row = await db
    .selectFrom('slack_users')
    .select(['tz', 'updated_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? { tz: row.tz, checkedAt: row.updated_at } : undefined;
}
