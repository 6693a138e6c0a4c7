import { type Kysely, sql } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

/**
 * What a proposal's (or review's) message shows, as two counters on the proposal:
 * `message_version`, bumped in the writing transaction by every change to its votes (a trigger,
 * statement-level, so a batch bumps once) and to its status; and `shown_version`, the
 * `message_version` whose tally the message was last updated with. A message whose update failed,
 * or whose instance stopped before updating it, lags, and the `norms-messages` job settles it
 * again: the message ends true even when no vote comes after.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('proposals')
    .addColumn('message_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('shown_version', 'bigint', (c) => c.notNull().defaultTo(0))
    // Who posts the outcome's thread reply: the one instance whose claim sets it (never twice).
    .addColumn('outcome_claimed_at', 'timestamptz')
    .execute();

  await sql`
    create function proposals_bump_message_by_votes() returns trigger language plpgsql as $$
    begin
      update proposals set message_version = message_version + 1
      where id in (select distinct proposal_id from changed);
      return null;
    end $$`.execute(db);
  await sql`
    create function proposals_bump_message_on_status() returns trigger language plpgsql as $$
    begin
      if new.status is distinct from old.status then
        new.message_version := old.message_version + 1;
      end if;
      return new;
    end $$`.execute(db);

  for (const [event, transition] of [
    ['insert', 'new'],
    ['update', 'new'],
    ['delete', 'old'],
  ] as const) {
    await sql`
      create trigger ${sql.raw(`votes_${event}_bumps_message`)}
      after ${sql.raw(event)} on votes
      referencing ${sql.raw(transition)} table as changed
      for each statement execute function proposals_bump_message_by_votes()`.execute(db);
  }
  await sql`
    create trigger proposals_status_bumps_message before update on proposals
    for each row execute function proposals_bump_message_on_status()`.execute(db);
  // /cop norms' version (migration 010) is bumped by any update of proposals: these columns would
  // bump it too (each vote batch twice, each shown message once). Its trigger now compares the
  // rows without them.
  await sql`drop trigger proposals_update_bumps_overview on proposals`.execute(db);
  await sql`
    create function cops_bump_overview_by_proposal_change() returns trigger language plpgsql as $$
    begin
      update cops set overview_version = overview_version + 1
      where id in (
        select distinct n.cop_id from changed n join before o on o.id = n.id
        where to_jsonb(n) - 'message_version' - 'shown_version' - 'outcome_claimed_at'
              is distinct from to_jsonb(o) - 'message_version' - 'shown_version' - 'outcome_claimed_at');
      return null;
    end $$`.execute(db);
  await sql`
    create trigger proposals_update_bumps_overview after update on proposals
    referencing old table as before new table as changed
    for each statement execute function cops_bump_overview_by_proposal_change()`.execute(db);
  // The job's question: messages that lag, of proposals still worth showing.
  await sql`create index proposals_message_lags on proposals (id) where shown_version < message_version`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger proposals_update_bumps_overview on proposals`.execute(db);
  await sql`drop function if exists cops_bump_overview_by_proposal_change()`.execute(db);
  await sql`
    create trigger proposals_update_bumps_overview after update on proposals
    referencing new table as changed
    for each statement execute function cops_bump_overview_by_cop()`.execute(db);
  for (const event of ['insert', 'update', 'delete']) {
    await sql`drop trigger if exists ${sql.raw(`votes_${event}_bumps_message`)} on votes`.execute(db);
  }
  await sql`drop trigger if exists proposals_status_bumps_message on proposals`.execute(db);
  await sql`drop function if exists proposals_bump_message_by_votes()`.execute(db);
  await sql`drop function if exists proposals_bump_message_on_status()`.execute(db);
  await sql`drop index if exists proposals_message_lags`.execute(db);
  await db.schema
    .alterTable('proposals')
    .dropColumn('message_version')
    .dropColumn('shown_version')
    .dropColumn('outcome_claimed_at')
    .execute();
}
