import { type Kysely, sql } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

/**
 * The anonymous trust pulse. Answers are kept only as tallies, one row per pulse; who answered
 * (so nobody is asked to count twice) is one sorted list per pulse, in another table. Neither
 * has a time, a serial per answer or an order that follows the answers: a dump shows the same
 * rows whoever gave which scores.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pulse_settings')
    .addColumn('cop_id', 'integer', (c) => c.primaryKey().references('cops.id').onDelete('cascade'))
    // null: the default (monthly once the CoP has 3 members or more).
    .addColumn('monthly', 'boolean')
    // Results are shown from this many answers; never fewer than 3, whatever the caller says.
    .addColumn('threshold', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(3)
        .check(sql`threshold >= 3 and threshold <= 1000`),
    )
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pulses')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cop_id', 'integer', (c) => c.notNull().references('cops.id').onDelete('cascade'))
    // 'YYYY-MM' for the monthly pulse (one per CoP and month, whatever the number of instances);
    // null for one a coordinator started with `/cop pulse`.
    .addColumn('period', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    // The threshold in force when it opened: a later change does not reveal a small pulse.
    .addColumn('threshold', 'integer', (c) => c.notNull().check(sql`threshold >= 3`))
    .addColumn('asked', 'integer', (c) => c.notNull())
    .addUniqueConstraint('pulses_cop_period_key', ['cop_id', 'period'])
    .execute();

  // One row per pulse: scores 1..5 of each statement as counts. An answer adds to both arrays
  // in place, so nothing in the row's place or shape follows who answered or when.
  await db.schema
    .createTable('pulse_tallies')
    .addColumn('pulse_id', 'integer', (c) => c.primaryKey().references('pulses.id').onDelete('cascade'))
    .addColumn('struggles', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{0,0,0,0,0}'`))
    .addColumn('voice', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{0,0,0,0,0}'`))
    .addCheckConstraint('pulse_tallies_five_scores', sql`cardinality(struggles) = 5 and cardinality(voice) = 5`)
    .execute();

  // Who answered, as one sorted list per pulse (not a row per answer, whose order would follow
  // the answers). The answer's update adds the member only if absent, atomically: a second
  // answer, on any instance, changes nothing.
  await db.schema
    .createTable('pulse_respondents')
    .addColumn('pulse_id', 'integer', (c) => c.primaryKey().references('pulses.id').onDelete('cascade'))
    .addColumn('user_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['pulse_respondents', 'pulse_tallies', 'pulses', 'pulse_settings']) {
    await db.schema.dropTable(table).execute();
  }
}
