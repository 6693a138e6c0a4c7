import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/schema';
import {
  addCoordinator,
  addMember,
  createCop,
  findCopsWithRights,
  removeMember,
} from '../../src/features/community/repository';
import { RightsReader, RightsReadTimeout } from '../../src/features/community/rights';
import { isDatabaseUnavailable } from '../../src/slack/unavailable';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';

const TEAM = 'T0RIGHTS';

describe.each(DATABASE_KINDS)('who may do what in a CoP, read for every /cop command, on %s', (kind) => {
  let database: TestDatabase;
  let copId: number;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const cop = await createCop(database.db, { teamId: TEAM, channelId: 'C0HOME', createdBy: 'UCOORD' });
    copId = cop!.id;
    await createCop(database.db, { teamId: TEAM, channelId: 'C0OTHER', createdBy: 'UOTHER' });
    for (const user of ['UCOORD', 'UMEMBER', 'UGONE']) await addMember(database.db, copId, user);
    await addCoordinator(database.db, copId, 'UGONE', 'UCOORD');
    // A coordinator who left the channel keeps the row but no rights.
    await removeMember(database.db, copId, 'UGONE');
  });
  afterAll(() => database.destroy());

  it('answers many questions in one statement, each in its place', async () => {
    const answers = await findCopsWithRights(database.db, [
      { teamId: TEAM, channelId: 'C0HOME', userId: 'UMEMBER' },
      { teamId: TEAM, channelId: 'C0NOTACOP', userId: 'UMEMBER' },
      { teamId: TEAM, channelId: 'C0HOME', userId: 'UCOORD' },
      { teamId: TEAM, channelId: 'C0HOME', userId: 'USTRANGER' },
      { teamId: TEAM, channelId: 'C0HOME', userId: 'UGONE' },
      { teamId: TEAM, channelId: 'C0OTHER', userId: 'UCOORD' },
      { teamId: 'T0ELSEWHERE', channelId: 'C0HOME', userId: 'UCOORD' },
    ]);
    const summary = answers.map(
      (a) => a && { channel: a.cop.channel_id, member: a.member, coordinator: a.coordinator },
    );
    expect(summary).toEqual([
      { channel: 'C0HOME', member: true, coordinator: false },
      undefined,
      { channel: 'C0HOME', member: true, coordinator: true },
      { channel: 'C0HOME', member: false, coordinator: false },
      { channel: 'C0HOME', member: false, coordinator: false },
      // UCOORD coordinates C0HOME, and is nothing in C0OTHER.
      { channel: 'C0OTHER', member: false, coordinator: false },
      undefined,
    ]);
    expect(answers[0]!.cop.id).toBe(copId);
  });

  it('questions asked together are answered by one read; one asked after a change sees the change', async () => {
    const statements: string[] = [];
    const counted = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 4 }) }),
      log: (event) => {
        if (event.level === 'query') statements.push(event.query.sql);
      },
    });
    try {
      const reader = new RightsReader(counted);
      const users = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'UMEMBER' : `USTRANGER${i}`));
      const answers = await Promise.all(users.map((user) => reader.rightsOf(TEAM, 'C0HOME', user)));
      expect(answers.map((a) => a?.member)).toEqual(users.map((user) => user === 'UMEMBER'));
      expect(statements).toHaveLength(1);

      // Asked while a read is out, then after the membership changed: answered by a later read.
      const early = reader.rightsOf(TEAM, 'C0HOME', 'UNEW');
      await addMember(database.db, copId, 'UNEW');
      const late = reader.rightsOf(TEAM, 'C0HOME', 'UNEW');
      expect((await late)?.member).toBe(true);
      await early;
    } finally {
      await counted.destroy();
    }
  });

  it('a read that hangs fails its questions in time as the database being away, and the next read goes out', async () => {
    // A real hang: another session holds a lock the read needs, until the test lets go.
    const blocker = await database.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await sql`lock table cops in access exclusive mode`.execute(conn);
      const reader = new RightsReader(database.db, { timeoutMs: 300 });
      const started = Date.now();
      const hung = reader.rightsOf(TEAM, 'C0HOME', 'UMEMBER');
      await expect(hung).rejects.toThrow(RightsReadTimeout);
      const error = await hung.catch((e: unknown) => e);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
      // The next question is read on its own, not queued behind the hung read.
      const next = reader.rightsOf(TEAM, 'C0HOME', 'UCOORD');
      await sql`rollback`.execute(conn);
      return next;
    });
    expect(blocker).toMatchObject({ member: true, coordinator: true });
  });

  it('a failed read fails each question it carried, and the next read goes on', async () => {
    const broken = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: `${database.url}_missing`, max: 1 }) }),
    });
    const reader = new RightsReader(broken);
    const asked = [reader.rightsOf(TEAM, 'C0HOME', 'UMEMBER'), reader.rightsOf(TEAM, 'C0HOME', 'UCOORD')];
    for (const answer of asked) await expect(answer).rejects.toThrow(/does not exist/);
    await expect(reader.rightsOf(TEAM, 'C0HOME', 'UMEMBER')).rejects.toThrow(/does not exist/);
    await broken.destroy();
  });
});
