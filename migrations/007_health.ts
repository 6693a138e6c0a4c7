import type { Kysely } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

export async function up(db: Kysely<unknown>): Promise<void> {
  // The monthly health picture posted in a CoP's home channel: the row is the claim (one post
  // per CoP and month, however many instances run), then what the App Home shows of it.
  await db.schema
    .createTable('health_posts')
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('posted_at', 'timestamptz')
    .addColumn('summary', 'text')
    .addColumn('file_id', 'text')
    .addColumn('permalink', 'text')
    .addPrimaryKeyConstraint('health_posts_pkey', ['cop_id', 'month'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('health_posts').execute();
}
