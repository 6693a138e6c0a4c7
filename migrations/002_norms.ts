import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('proposals')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('new', 'change', 'retire')`))
    .addColumn('norm_id', 'integer')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'adopted', 'declined')`),
    )
    .addColumn('decided_at', 'timestamptz')
    .addColumn('members_at_decision', 'integer')
    .addColumn('quorum_num', 'integer', (c) => c.notNull())
    .addColumn('quorum_den', 'integer', (c) => c.notNull())
    .addColumn('approval_num', 'integer', (c) => c.notNull())
    .addColumn('approval_den', 'integer', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('message_ts', 'text')
    .addColumn('nudged_at', 'timestamptz')
    .addUniqueConstraint('proposals_message_key', ['channel_id', 'message_ts'])
    .addCheckConstraint('proposals_norm_required', sql`(kind = 'new') = (norm_id is null)`)
    .execute();
  await db.schema.createIndex('proposals_open_idx').on('proposals').columns(['status', 'closes_at']).execute();
  await db.schema.createIndex('proposals_cop_idx').on('proposals').columns(['cop_id', 'status']).execute();

  await db.schema
    .createTable('norms')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('adopted', 'retired')`))
    .addColumn('adopted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('created_by_proposal_id', 'integer', (c) => c.notNull().references('proposals.id'))
    .execute();
  await db.schema.createIndex('norms_cop_idx').on('norms').columns(['cop_id', 'status']).execute();

  await db.schema
    .alterTable('proposals')
    .addForeignKeyConstraint('proposals_norm_fkey', ['norm_id'], 'norms', ['id'])
    .execute();

  await db.schema
    .createTable('norm_revisions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('norm_id', 'integer', (c) => c.notNull().references('norms.id').onDelete('cascade'))
    .addColumn('proposal_id', 'integer', (c) => c.notNull().references('proposals.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('votes')
    .addColumn('proposal_id', 'integer', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('stance', 'text', (c) => c.check(sql`stance in ('support', 'object')`))
    .addColumn('reason', 'text')
    .addColumn('acted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('votes_pkey', ['proposal_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('votes').execute();
  await db.schema.dropTable('norm_revisions').execute();
  await db.schema.alterTable('proposals').dropConstraint('proposals_norm_fkey').execute();
  await db.schema.dropTable('norms').execute();
  await db.schema.dropTable('proposals').execute();
}
