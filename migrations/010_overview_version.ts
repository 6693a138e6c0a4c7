import { type Kysely, sql } from 'kysely';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.

/**
 * `cops.overview_version`: bumped, in the writing transaction itself, by every change to what
 * `/cop norms` shows of a CoP (its norms and their revisions, proposals and reviews, their votes,
 * its members, its meeting's zone that review dates are told in, its rule). A bot
 * instance may keep the overview it rendered for as long as the version it read with the CoP is
 * the one it rendered at, whichever instance wrote: triggers, so no write path can forget it.
 * Statement-level, so a batch of votes bumps once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('cops')
    .addColumn('overview_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await sql`
    create function cops_bump_overview_by_cop() returns trigger language plpgsql as $$
    begin
      update cops set overview_version = overview_version + 1
      where id in (select distinct cop_id from changed);
      return null;
    end $$`.execute(db);
  await sql`
    create function cops_bump_overview_by_proposal() returns trigger language plpgsql as $$
    begin
      update cops set overview_version = overview_version + 1
      where id in (select p.cop_id from proposals p where p.id in (select distinct proposal_id from changed));
      return null;
    end $$`.execute(db);
  await sql`
    create function cops_bump_overview_by_norm() returns trigger language plpgsql as $$
    begin
      update cops set overview_version = overview_version + 1
      where id in (select n.cop_id from norms n where n.id in (select distinct norm_id from changed));
      return null;
    end $$`.execute(db);
  await sql`
    create function cops_bump_overview_on_rule() returns trigger language plpgsql as $$
    begin
      if (new.quorum_num, new.quorum_den, new.approval_num, new.approval_den, new.window_hours, new.review_months)
         is distinct from (old.quorum_num, old.quorum_den, old.approval_num, old.approval_den, old.window_hours, old.review_months) then
        new.overview_version := old.overview_version + 1;
      end if;
      return new;
    end $$`.execute(db);

  for (const [table, fn] of [
    ['norms', 'cops_bump_overview_by_cop'],
    ['proposals', 'cops_bump_overview_by_cop'],
    ['members', 'cops_bump_overview_by_cop'],
    ['meetings', 'cops_bump_overview_by_cop'],
    ['votes', 'cops_bump_overview_by_proposal'],
    ['norm_revisions', 'cops_bump_overview_by_norm'],
  ] as const) {
    for (const [event, transition] of [
      ['insert', 'new'],
      ['update', 'new'],
      ['delete', 'old'],
    ] as const) {
      await sql`
        create trigger ${sql.raw(`${table}_${event}_bumps_overview`)}
        after ${sql.raw(event)} on ${sql.table(table)}
        referencing ${sql.raw(transition)} table as changed
        for each statement execute function ${sql.raw(fn)}()`.execute(db);
    }
  }
  await sql`
    create trigger cops_rule_bumps_overview before update on cops
    for each row execute function cops_bump_overview_on_rule()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['norms', 'proposals', 'members', 'meetings', 'votes', 'norm_revisions']) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql`drop trigger if exists ${sql.raw(`${table}_${event}_bumps_overview`)} on ${sql.table(table)}`.execute(
        db,
      );
    }
  }
  await sql`drop trigger if exists cops_rule_bumps_overview on cops`.execute(db);
  await sql`drop function if exists cops_bump_overview_by_cop, cops_bump_overview_by_proposal, cops_bump_overview_by_norm, cops_bump_overview_on_rule`.execute(
    db,
  );
  await db.schema.alterTable('cops').dropColumn('overview_version').execute();
}
