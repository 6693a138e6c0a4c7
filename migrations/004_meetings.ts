import { type Kysely, sql } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One recurring meeting per CoP; its occurrences are computed, and recorded once something
  // happens for one (reminders, a topic, an RSVP, attendance).
  await db.schema
    .createTable('meetings')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cop_id', 'integer', (c) => c.notNull().unique().references('cops.id').onDelete('cascade'))
    .addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    .addColumn('local_time', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('length_minutes', 'integer', (c) => c.notNull().check(sql`length_minutes > 0`))
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('lead_minutes', 'integer', (c) => c.notNull().check(sql`lead_minutes > 0`))
    // Local dates (YYYY-MM-DD) in the meeting's zone, comma-separated, sorted.
    .addColumn('skip_dates', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('meeting_occurrences')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    // Set in the transaction that queues the reminder DMs: the fan-out happens once.
    .addColumn('reminders_queued_at', 'timestamptz')
    .addColumn('reminders_queued', 'integer')
    .addColumn('reminders_skipped', 'integer')
    // Set when the run's outcome (sent, failed, expired) was logged.
    .addColumn('reminders_settled_at', 'timestamptz')
    .addColumn('attendance_recorded_at', 'timestamptz')
    .addColumn('attendance_recorded_by', 'text')
    .addUniqueConstraint('meeting_occurrences_meeting_start_key', ['meeting_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('meeting_rsvps')
    .addColumn('occurrence_id', 'integer', (c) => c.notNull().references('meeting_occurrences.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('coming', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_rsvps_pkey', ['occurrence_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('meeting_topics')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('occurrence_id', 'integer', (c) => c.notNull().references('meeting_occurrences.id').onDelete('cascade'))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meeting_topics_occurrence_idx').on('meeting_topics').column('occurrence_id').execute();

  await db.schema
    .createTable('meeting_attendance')
    .addColumn('occurrence_id', 'integer', (c) => c.notNull().references('meeting_occurrences.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_attendance_pkey', ['occurrence_id', 'user_id'])
    .execute();

  // Members who turned reminder DMs off (`/cop reminders off`); no row means on.
  await db.schema
    .createTable('reminder_optouts')
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('reminder_optouts_pkey', ['cop_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'reminder_optouts',
    'meeting_attendance',
    'meeting_topics',
    'meeting_rsvps',
    'meeting_occurrences',
    'meetings',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
