import { type Kysely, sql } from 'kysely';

// Anonymous practice struggles. No column here ever holds the Slack user ID of an anonymous
// author or replier (nor a hash of one): authorship is a signed capability the author keeps.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('struggles')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tried', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('channel_id', 'text', (c) => c.notNull())
    // Null while the post is on its way to Slack: the row holds the CoP's rate-limit slot.
    .addColumn('message_ts', 'text')
    .addColumn('permalink', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('search', sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`setweight(to_tsvector('english', text), 'A') || setweight(to_tsvector('english', tags), 'B') || setweight(to_tsvector('english', tried), 'C')`,
        )
        .stored(),
    )
    .addUniqueConstraint('struggles_message_key', ['channel_id', 'message_ts'])
    .execute();
  await db.schema.createIndex('struggles_cop_idx').on('struggles').columns(['cop_id', 'created_at']).execute();
  await db.schema.createIndex('struggles_search_idx').on('struggles').using('gin').column('search').execute();

  await db.schema
    .createTable('struggle_replies')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('struggle_id', 'integer', (c) => c.notNull().references('struggles.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('anonymous', 'original_poster', 'member')`))
    // Only a member's ordinary thread reply names its author; anonymous ones never do.
    .addColumn('user_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('message_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('helpful_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('marked_helpful', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('search', sql`tsvector`, (c) => c.generatedAlwaysAs(sql`to_tsvector('english', text)`).stored())
    .addUniqueConstraint('struggle_replies_message_key', ['struggle_id', 'message_ts'])
    .addCheckConstraint('struggle_replies_anonymous_nameless', sql`kind = 'member' or user_id is null`)
    .execute();
  await db.schema.createIndex('struggle_replies_message_idx').on('struggle_replies').columns(['message_ts']).execute();
  await db.schema
    .createIndex('struggle_replies_search_idx')
    .on('struggle_replies')
    .using('gin')
    .column('search')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('struggle_replies').execute();
  await db.schema.dropTable('struggles').execute();
}
