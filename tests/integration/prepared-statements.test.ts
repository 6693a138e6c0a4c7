import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PreparingPool } from '../../src/db/prepared-statements';
import { withRetry } from '../../src/db/retry';
import { AppLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';

// Tables of this test only; the app's schema plays no part.
interface Scratch {
  notes: { id: number; body: string };
}

describe('PreparingPool: Kysely queries as named prepared statements, on Postgres', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<Scratch>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    // One connection, so every query below meets the statements the ones before it prepared.
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    db = new Kysely<Scratch>({ dialect: new PostgresDialect({ pool: new PreparingPool(pool) }) });
    await sql`create table notes (id int primary key, body text not null)`.execute(db);
    await sql`insert into notes values (1, 'first'), (2, 'second')`.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.destroy();
  });

  const prepared = async (on: Kysely<Scratch> = db) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(on)).rows.map(
      (r) => r.statement,
    );
  const backendPid = async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
  const noteById = (id: number) => db.selectFrom('notes').selectAll().where('id', '=', id).executeTakeFirst();

  it('prepares a query once per connection and answers each run with its own parameters', async () => {
    await expect(noteById(1)).resolves.toEqual({ id: 1, body: 'first' });
    await expect(noteById(2)).resolves.toEqual({ id: 2, body: 'second' });
    const statements = (await prepared()).filter((s) => s.includes('from "notes"'));
    expect(statements).toEqual(['select * from "notes" where "id" = $1']);
  });

  it('names no more than its limit of distinct texts; the rest run unnamed, and still answer', async () => {
    const capped = new Kysely<Scratch>({
      dialect: new PostgresDialect({
        pool: new PreparingPool(new pg.Pool({ connectionString: database.url, max: 1 }), 2),
      }),
    });
    try {
      for (const n of [1, 2, 3, 4]) {
        const row = await sql<{ n: number }>`select ${sql.lit(n)}::int as n`.execute(capped);
        expect(row.rows[0]!.n).toBe(n);
      }
      expect(await prepared(capped)).toEqual(['select 1::int as n', 'select 2::int as n']);
    } finally {
      await capped.destroy();
    }
  });

  it('runs a query again unnamed when a schema change made its prepared form stale, then drops the connection', async () => {
    await noteById(1); // prepared with two columns
    const before = await backendPid();
    await sql`alter table notes add column author text`.execute(db);
    // PostgreSQL refuses the prepared `select *` now ("cached plan must not change result type").
    await expect(noteById(1)).resolves.toEqual({ id: 1, body: 'first', author: null });
    // The stale connection was not kept: the next query runs on a new one.
    expect(await backendPid()).not.toBe(before);
    await expect(noteById(2)).resolves.toEqual({ id: 2, body: 'second', author: null });
  });

  it('inside a transaction, a stale statement fails that transaction once; the next one succeeds', async () => {
    await noteById(1);
    await sql`alter table notes add column tags text`.execute(db);
    await expect(
      db.transaction().execute((trx) => trx.selectFrom('notes').selectAll().where('id', '=', 1).execute()),
    ).rejects.toMatchObject({
      code: '0A000',
    });
    const rows = await db
      .transaction()
      .execute((trx) => trx.selectFrom('notes').selectAll().where('id', '=', 1).execute());
    expect(rows).toEqual([{ id: 1, body: 'first', author: null, tags: null }]);
  });

  it('a transaction retried as vote writes are (withRetry) gets through a statement a migration made stale', async () => {
    await noteById(2);
    await sql`alter table notes add column pinned boolean`.execute(db);
    const logs: string[] = [];
    const row = await withRetry(
      () =>
        db.transaction().execute((trx) => trx.selectFrom('notes').selectAll().where('id', '=', 2).executeTakeFirst()),
      { logger: new AppLogger('info', (line) => logs.push(line)), what: 'reading note 2', baseDelayMs: 1 },
    );
    expect(row).toEqual({ id: 2, body: 'second', author: null, tags: null, pinned: null });
    expect(logs.filter((l) => l.includes('reading note 2'))).toHaveLength(1); // one failed try, logged
  });
});
