import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { openPglite } from '../../src/db/database';
import { PgliteThread, PgliteThreadDialect } from '../../src/db/pglite-thread';

// Tables of this test only; the app's schema plays no part.
interface Scratch {
  counters: { name: string; value: number };
  things: { id: number; at: Date; big: number; doc: unknown; note: string | null };
}

describe('the embedded database on its own thread (PgliteThread)', () => {
  let thread: PgliteThread;
  let db: Kysely<Scratch>;

  beforeAll(async () => {
    thread = new PgliteThread(undefined);
    db = new Kysely<Scratch>({ dialect: new PgliteThreadDialect(thread) });
    await sql`create table counters (name text primary key, value int not null)`.execute(db);
    await sql`create table things (id int primary key, at timestamptz not null, big int8 not null, doc jsonb, note text)`.execute(
      db,
    );
  }, 60_000);
  afterAll(() => db.destroy());

  it("hands back PostgreSQL's values as pg does: dates, int8 as numbers, jsonb, null", async () => {
    const at = new Date('2026-03-02T09:00:00.123Z');
    await db
      .insertInto('things')
      .values({ id: 1, at, big: 9_007_199_254_740_991, doc: JSON.stringify({ a: [1, 2] }), note: null })
      .execute();
    const row = await db.selectFrom('things').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    expect(row).toEqual({ id: 1, at, big: 9_007_199_254_740_991, doc: { a: [1, 2] }, note: null });
    // (A Date of the test runner's own realm or not: jest runs tests in a VM context of their own.)
    expect(Object.prototype.toString.call(row.at)).toBe('[object Date]');
    expect(row.at.getTime()).toBe(at.getTime());
  });

  it("rejects with PostgreSQL's error fields (SQLSTATE, constraint), which callers rely on", async () => {
    await db.insertInto('counters').values({ name: 'dup', value: 1 }).execute();
    await expect(db.insertInto('counters').values({ name: 'dup', value: 2 }).execute()).rejects.toMatchObject({
      code: '23505',
      constraint: 'counters_pkey',
      message: expect.stringContaining('duplicate key'),
    });
    // The failed statement left the connection usable.
    await expect(
      db.selectFrom('counters').select('value').where('name', '=', 'dup').executeTakeFirst(),
    ).resolves.toEqual({
      value: 1,
    });
  });

  it('runs transactions whole, one at a time: a rollback discards, concurrent ones never interleave', async () => {
    await db.insertInto('counters').values({ name: 'n', value: 0 }).execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('counters').set({ value: 100 }).where('name', '=', 'n').execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');

    // Read-then-write increments: interleaved, some would be lost.
    await Promise.all(
      Array.from({ length: 25 }, () =>
        db.transaction().execute(async (trx) => {
          const { value } = await trx
            .selectFrom('counters')
            .select('value')
            .where('name', '=', 'n')
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('counters')
            .set({ value: value + 1 })
            .where('name', '=', 'n')
            .execute();
        }),
      ),
    );
    const { value } = await db.selectFrom('counters').select('value').where('name', '=', 'n').executeTakeFirstOrThrow();
    expect(value).toBe(25);
  });

  it('reports rows changed by a write', async () => {
    await db
      .insertInto('counters')
      .values([
        { name: 'a', value: 1 },
        { name: 'b', value: 1 },
      ])
      .execute();
    const result = await db
      .updateTable('counters')
      .set({ value: 7 })
      .where('name', 'in', ['a', 'b'])
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
  });

  it('refuses queries once closed, with a clear error', async () => {
    const own = new PgliteThread(undefined);
    const ownDb = new Kysely<Scratch>({ dialect: new PgliteThreadDialect(own) });
    await expect(sql<{ n: number }>`select 1 as n`.execute(ownDb)).resolves.toMatchObject({ rows: [{ n: 1 }] });
    await ownDb.destroy();
    await expect(own.query('select 1', [])).rejects.toThrow(/PGlite thread stopped/);
  }, 60_000);

  it('that cannot start, rejects every query with the reason, and raises nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      // Its data directory under a file: PGlite cannot create it.
      const file = join(mkdtempSync(join(tmpdir(), 'cop-pglite-')), 'a-file');
      writeFileSync(file, 'not a directory');
      const broken = new PgliteThread(join(file, 'pglite'));
      await expect(broken.query('select 1', [])).rejects.toThrow(/PGlite did not start: .*ENOTDIR/);
      await expect(broken.query('select 1', [])).rejects.toThrow(/PGlite did not start/);
      await broken.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  }, 60_000);

  it("runs the bot's embedded database with its settings (16 MB of shared buffers, not PGlite's 128 MB)", async () => {
    // On a data directory, as `npm start` runs it.
    const handle = openPglite(mkdtempSync(join(tmpdir(), 'cop-pglite-')));
    try {
      const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(handle.db);
      expect(rows).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await handle.close();
    }
  }, 60_000);
});
