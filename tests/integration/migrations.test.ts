import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate';
import { migrations } from '../../migrations';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
  });
  afterAll(() => database.destroy());

  it('creates every table from an empty database, then finds nothing more to do', async () => {
    const first = await migrateToLatest(database.db);
    expect(first.results?.map((r) => r.migrationName)).toEqual(Object.keys(migrations));

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(database.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['cops', 'coordinators', 'members', 'norms', 'outbox', 'proposals', 'votes']),
    );

    const second = await migrateToLatest(database.db);
    expect(second.results).toEqual([]);
  });

  it('returns counts as numbers and jsonb as parsed values on both back ends', async () => {
    const row = await database.db
      .insertInto('outbox')
      .values({
        dedupe_key: 'k1',
        purpose: 'test',
        recipient: 'U1',
        text: 'hello',
        blocks: JSON.stringify([{ type: 'divider' }]),
        not_before: new Date(),
      })
      .returning(['id', 'blocks'])
      .executeTakeFirstOrThrow();
    expect(typeof row.id).toBe('number');
    expect(row.blocks).toEqual([{ type: 'divider' }]);
    const count = await database.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });
});
