import { type Kysely, sql } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cops')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('quorum_num', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('quorum_den', 'integer', (c) => c.notNull().defaultTo(2))
    .addColumn('approval_num', 'integer', (c) => c.notNull().defaultTo(2))
    .addColumn('approval_den', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('window_hours', 'integer', (c) => c.notNull().defaultTo(168))
    .addColumn('members_synced_at', 'timestamptz')
    .addUniqueConstraint('cops_team_channel_key', ['team_id', 'channel_id'])
    .addCheckConstraint(
      'cops_rule_fractions',
      sql`quorum_num > 0 and quorum_den > 0 and quorum_num <= quorum_den and approval_num > 0 and approval_den > 0 and approval_num <= approval_den and window_hours > 0`,
    )
    .execute();

  await db.schema
    .createTable('coordinators')
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('coordinators_pkey', ['cop_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('members_pkey', ['cop_id', 'user_id'])
    .execute();
  await db.schema.createIndex('members_user_idx').on('members').column('user_id').execute();

  await db.schema
    .createTable('slack_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('is_bot', 'boolean', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('tz', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('processed_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('blocks', 'jsonb')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('outbox_due_idx')
    .on('outbox')
    .columns(['status', 'not_before'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['outbox', 'processed_events', 'slack_users', 'members', 'coordinators', 'cops']) {
    await db.schema.dropTable(table).execute();
  }
}
