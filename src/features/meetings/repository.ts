import { type Kysely, type Transaction } from 'kysely';
import type { Database, Meeting, MeetingOccurrence } from '../../db/schema';
import type { MeetingInput } from './rules';

type Conn = Kysely<Database> | Transaction<Database>;

// Who comes, what they bring, who wants reminders: in ./people-repository.
export * from './people-repository';
export type { MeetingInput } from './rules';

export function findMeeting(db: Conn, copId: number): Promise<Meeting | undefined> {
  return db.selectFrom('meetings').selectAll().where('cop_id', '=', copId).executeTakeFirst();
}

export function findMeetingById(db: Conn, meetingId: number): Promise<Meeting | undefined> {
  return db.selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirst();
}

export function listMeetings(db: Conn): Promise<Meeting[]> {
  return db.selectFrom('meetings').selectAll().orderBy('id').execute();
}

/** Creates or replaces the CoP's meeting. */
export function saveMeeting(db: Conn, copId: number, input: MeetingInput, by: string, now: Date): Promise<Meeting> {
  const values = {
    weekday: input.weekday,
    local_time: input.localTime,
    time_zone: input.timeZone,
    length_minutes: input.lengthMinutes,
    location: input.location,
    lead_minutes: input.leadMinutes,
    skip_dates: input.skipDates.join(','),
    updated_by: by,
    updated_at: now,
  };
  return db
    .insertInto('meetings')
    .values({ cop_id: copId, ...values })
    .onConflict((oc) => oc.column('cop_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The occurrence's row, created on first need; any number of callers get the same one. */
export async function ensureOccurrence(
  db: Conn,
  meetingId: number,
  startsAt: Date,
  endsAt: Date,
): Promise<MeetingOccurrence> {
  await db
    .insertInto('meeting_occurrences')
    .values({ meeting_id: meetingId, starts_at: startsAt, ends_at: endsAt })
    .onConflict((oc) => oc.columns(['meeting_id', 'starts_at']).doNothing())
    .execute();
  return db
    .selectFrom('meeting_occurrences')
    .selectAll()
    .where('meeting_id', '=', meetingId)
    .where('starts_at', '=', startsAt)
    .executeTakeFirstOrThrow();
}

export function findOccurrenceAt(db: Conn, meetingId: number, startsAt: Date): Promise<MeetingOccurrence | undefined> {
  return db
    .selectFrom('meeting_occurrences')
    .selectAll()
    .where('meeting_id', '=', meetingId)
    .where('starts_at', '=', startsAt)
    .executeTakeFirst();
}

export function findOccurrence(db: Conn, occurrenceId: number): Promise<MeetingOccurrence | undefined> {
  return db.selectFrom('meeting_occurrences').selectAll().where('id', '=', occurrenceId).executeTakeFirst();
}

/** The occurrence row, locked for the caller's transaction (the reminder fan-out's claim). */
export function lockOccurrence(trx: Transaction<Database>, occurrenceId: number) {
  return trx
    .selectFrom('meeting_occurrences')
    .selectAll()
    .where('id', '=', occurrenceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function markRemindersQueued(
  trx: Conn,
  occurrenceId: number,
  now: Date,
  queued: number,
  skipped: number,
): Promise<void> {
  await trx
    .updateTable('meeting_occurrences')
    .set({ reminders_queued_at: now, reminders_queued: queued, reminders_skipped: skipped })
    .where('id', '=', occurrenceId)
    .execute();
}

/** Occurrences whose reminders were queued and whose outcome was not logged yet. */
export function listUnsettledRuns(db: Conn) {
  return db
    .selectFrom('meeting_occurrences')
    .selectAll()
    .where('reminders_queued_at', 'is not', null)
    .where('reminders_settled_at', 'is', null)
    .execute();
}

export async function markSettled(db: Conn, occurrenceId: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('meeting_occurrences')
    .set({ reminders_settled_at: now })
    .where('id', '=', occurrenceId)
    .where('reminders_settled_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** How the outbox rows with a key prefix fared, by status. */
export async function outboxOutcome(db: Conn, keyPrefix: string) {
  const rows = await db
    .selectFrom('outbox')
    .select(['status', 'last_error'])
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('attempts').as('attempts')])
    .where('dedupe_key', 'like', `${keyPrefix}%`)
    .groupBy(['status', 'last_error'])
    .execute();
  return rows.map((r) => ({
    status: r.status,
    lastError: r.last_error,
    count: Number(r.n),
    attempts: Number(r.attempts),
  }));
}

/**
 * After a schedule change: topics of future occurrences the schedule no longer has move to its
 * next meeting; those occurrences are dropped unless reminders went out for them.
 */
export async function moveStrandedTopics(
  trx: Conn,
  meetingId: number,
  now: Date,
  keepStart: Date,
  targetId: number,
): Promise<void> {
  const stranded = await trx
    .selectFrom('meeting_occurrences')
    .select(['id', 'reminders_queued_at'])
    .where('meeting_id', '=', meetingId)
    .where('starts_at', '>', now)
    .where('starts_at', '!=', keepStart)
    .execute();
  if (stranded.length === 0) return;
  await trx
    .updateTable('meeting_topics')
    .set({ occurrence_id: targetId })
    .where(
      'occurrence_id',
      'in',
      stranded.map((s) => s.id),
    )
    .execute();
  const unused = stranded.filter((s) => !s.reminders_queued_at).map((s) => s.id);
  if (unused.length) await trx.deleteFrom('meeting_occurrences').where('id', 'in', unused).execute();
}

/**
 * Reminders queued for future occurrences the new schedule no longer has, and not sent yet,
 * are cancelled: a reminder for a time the meeting moved away from would mislead.
 */
export async function cancelMovedReminders(
  trx: Conn,
  meetingId: number,
  now: Date,
  keepStart: Date | undefined,
  keyPrefix: (startsAt: Date) => string,
): Promise<number> {
  let query = trx
    .selectFrom('meeting_occurrences')
    .select('starts_at')
    .where('meeting_id', '=', meetingId)
    .where('starts_at', '>', now)
    .where('reminders_queued_at', 'is not', null);
  if (keepStart) query = query.where('starts_at', '!=', keepStart);
  let cancelled = 0;
  for (const occurrence of await query.execute()) {
    const result = await trx
      .updateTable('outbox')
      .set({ status: 'failed', last_error: 'cancelled: the meeting moved', lease_until: null })
      .where('dedupe_key', 'like', `${keyPrefix(occurrence.starts_at)}%`)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    cancelled += Number(result.numUpdatedRows);
  }
  return cancelled;
}

/** Cancels a member's reminders queued but not sent yet (they turned reminders off). */
export async function cancelPendingReminders(trx: Conn, keyPattern: string): Promise<number> {
  const result = await trx
    .updateTable('outbox')
    .set({ status: 'failed', last_error: 'cancelled: reminders turned off', lease_until: null })
    .where('dedupe_key', 'like', keyPattern)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
