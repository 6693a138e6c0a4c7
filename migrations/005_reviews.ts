import { type Kysely, sql } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

/**
 * Norms that live: reviews (a proposal of kind 'review' on an adopted norm), their outcome on
 * the norm (reaffirmed, or review lapsed), the CoP's review rhythm, and the pinned charter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A review travels the proposals' vote path; it can also close as superseded (its norm changed).
  await db.schema.alterTable('proposals').dropConstraint('proposals_kind_check').execute();
  await db.schema
    .alterTable('proposals')
    .addCheckConstraint('proposals_kind_check', sql`kind in ('new', 'change', 'retire', 'review')`)
    .execute();
  await db.schema.alterTable('proposals').dropConstraint('proposals_status_check').execute();
  await db.schema
    .alterTable('proposals')
    .addCheckConstraint('proposals_status_check', sql`status in ('open', 'adopted', 'declined', 'superseded')`)
    .execute();
  // The member count a review's rule uses, fixed when it opens (newcomers do not move the bar).
  await db.schema.alterTable('proposals').addColumn('members_at_open', 'integer').execute();
  // Set once the coordinators were told that a review lapsed: they are told once.
  await db.schema.alterTable('proposals').addColumn('lapse_notified_at', 'timestamptz').execute();
  // One open review per norm, whatever instance or member opens it.
  await db.schema
    .createIndex('proposals_one_open_review')
    .on('proposals')
    .column('norm_id')
    .unique()
    .where(sql.ref('kind'), '=', 'review')
    .where(sql.ref('status'), '=', 'open')
    .execute();

  await db.schema
    .alterTable('norms')
    .addColumn('reviewed_at', 'timestamptz') // the last review's close, kept or lapsed
    .addColumn('reaffirmed_at', 'timestamptz')
    .addColumn('reaffirmed_supporters', 'integer')
    .addColumn('reaffirmed_members', 'integer')
    .addColumn('review_lapsed_at', 'timestamptz')
    .execute();

  await db.schema
    .alterTable('cops')
    .addColumn('review_months', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(6)
        .check(sql`review_months between 1 and 36`),
    )
    .execute();

  // The pinned charter: one row per CoP, claimed before posting so two instances post it once.
  await db.schema
    .createTable('charters')
    .addColumn('cop_id', 'integer', (c) => c.primaryKey().references('cops.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('message_ts', 'text')
    .addColumn('content_hash', 'text')
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('charters').execute();
  await db.schema.alterTable('cops').dropColumn('review_months').execute();
  for (const column of [
    'reviewed_at',
    'reaffirmed_at',
    'reaffirmed_supporters',
    'reaffirmed_members',
    'review_lapsed_at',
  ])
    await db.schema.alterTable('norms').dropColumn(column).execute();
  await db.schema.dropIndex('proposals_one_open_review').execute();
  await db.schema.alterTable('proposals').dropColumn('lapse_notified_at').execute();
  await db.schema.alterTable('proposals').dropColumn('members_at_open').execute();
  // Reviews cannot stay behind constraints that do not know them.
  await sql`delete from proposals where kind = 'review'`.execute(db);
  await db.schema.alterTable('proposals').dropConstraint('proposals_status_check').execute();
  await db.schema
    .alterTable('proposals')
    .addCheckConstraint('proposals_status_check', sql`status in ('open', 'adopted', 'declined')`)
    .execute();
  await db.schema.alterTable('proposals').dropConstraint('proposals_kind_check').execute();
  await db.schema
    .alterTable('proposals')
    .addCheckConstraint('proposals_kind_check', sql`kind in ('new', 'change', 'retire')`)
    .execute();
}
