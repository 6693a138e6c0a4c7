import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations';
import { openPostgres } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { insertReview } from '../../src/features/norms/reviews-repository';
import { createTestDatabase, type TestDatabase } from '../support/database';

// 005_reviews changes the proposals' constraints: its down must leave them as 002 made them.
describe('migration 005_reviews', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
  });
  afterAll(() => database.destroy());

  it('goes down to 004 and up again; one open review per norm is a unique key', async () => {
    await migrateToLatest(database.db);
    const db = database.db as unknown as Kysely<unknown>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo('004_meetings');
    expect(down.error).toBeUndefined();
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'proposals'`.execute(db);
    expect(columns.rows.map((c) => c.column_name)).not.toContain('members_at_open');
    await migrateToLatest(database.db);

    const cop = await database.db
      .insertInto('cops')
      .values({ team_id: 'T', channel_id: 'C', created_by: 'U1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const base = proposalValues(cop.id);
    const p = await database.db
      .insertInto('proposals')
      .values({ ...base, kind: 'new' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const norm = await database.db
      .insertInto('norms')
      .values({
        cop_id: cop.id,
        title: 't',
        body: 'b',
        status: 'adopted',
        adopted_at: new Date(),
        created_by_proposal_id: p.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('proposals')
      .values({ ...base, kind: 'review', norm_id: norm.id })
      .execute();
    await expect(
      database.db
        .insertInto('proposals')
        .values({ ...base, kind: 'review', norm_id: norm.id })
        .execute(),
    ).rejects.toThrow(/proposals_one_open_review/);
    await database.db.updateTable('proposals').set({ status: 'superseded' }).where('kind', '=', 'review').execute();
    await database.db
      .insertInto('proposals')
      .values({ ...base, kind: 'review', norm_id: norm.id })
      .execute();
  });

  it('a second review of a norm is refused by the unique index, also on a prepared statement’s generic plan', async () => {
    const norm = await database.db.selectFrom('norms').select(['id', 'cop_id']).executeTakeFirstOrThrow();
    await database.db.updateTable('proposals').set({ status: 'superseded' }).where('kind', '=', 'review').execute();
    // One connection whose every prepared statement runs its generic plan, as one does from its sixth run.
    const one = openPostgres(database.url!, { max: 1 });
    try {
      await sql`set plan_cache_mode = force_generic_plan`.execute(one.db);
      const review = { ...proposalValues(norm.cop_id), kind: 'review' as const, norm_id: norm.id };
      expect(await insertReview(one.db, review)).toBeDefined();
      for (let i = 0; i < 3; i += 1) expect(await insertReview(one.db, review)).toBeUndefined();
    } finally {
      await one.close();
    }
  });
});

/** A proposal's required columns, for rows written straight into the database. */
function proposalValues(copId: number) {
  return {
    cop_id: copId,
    title: 't',
    body: 'b',
    rationale: '',
    proposed_by: 'U1',
    closes_at: new Date(),
    quorum_num: 1,
    quorum_den: 2,
    approval_num: 2,
    approval_den: 3,
    channel_id: 'C',
  };
}
