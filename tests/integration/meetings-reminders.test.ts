import { memberTopics } from '../../src/features/meetings/agenda';
import { proposalsAwaitingVote } from '../../src/features/norms/agenda';
import { communityPort } from '../../src/features/community/port';
import { queueDueReminders } from '../../src/features/meetings/reminders';
import { AppLogger } from '../../src/logger';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';

describe.each(DATABASE_KINDS)('queueing reminders on %s', (kind) => {
  let database: TestDatabase;
  const logs: string[] = [];
  const logger = new AppLogger('info', (line) => logs.push(line));
  const refreshed: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const db = database.db;
    const cop = await db
      .insertInto('cops')
      .values({ team_id: 'T1', channel_id: 'C1', created_by: 'U1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const users = Array.from({ length: 30 }, (_, i) => `U${i + 1}`);
    await db
      .insertInto('members')
      .values(users.map((user_id) => ({ cop_id: cop.id, user_id })))
      .execute();
    // Only a few zones are cached: more than the threshold lack one, so the cache is refreshed first.
    await db
      .insertInto('slack_users')
      .values(
        users.slice(0, 5).map((user_id) => ({
          user_id,
          team_id: 'T1',
          is_bot: false,
          deleted: false,
          tz: 'Asia/Kolkata',
          updated_at: new Date(),
        })),
      )
      .execute();
    await db
      .insertInto('meetings')
      .values({
        cop_id: cop.id,
        weekday: 2,
        local_time: '10:00',
        time_zone: 'Europe/Amsterdam',
        length_minutes: 60,
        location: 'Room 1',
        lead_minutes: 60,
        skip_dates: '2026-03-10',
        updated_by: 'U1',
        updated_at: new Date(),
      })
      .execute();
  });
  afterAll(() => database.destroy());

  const deps = () => ({
    db: database.db,
    community: communityPort(database.db),
    logger,
    providers: [proposalsAwaitingVote, memberTopics],
    refreshUsers: async (teamId: string) => void refreshed.push(teamId),
  });

  it('queues one DM per member once, however many runs race, and skips skipped weeks', async () => {
    await queueDueReminders(deps(), new Date('2026-03-03T07:59:59Z'));
    expect(await database.db.selectFrom('outbox').selectAll().execute()).toHaveLength(0);

    const at = new Date('2026-03-03T08:00:00Z');
    await Promise.all([queueDueReminders(deps(), at), queueDueReminders(deps(), at), queueDueReminders(deps(), at)]);
    const rows = await database.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'purpose', 'expires_at', 'text'])
      .execute();
    expect(rows.filter((r) => r.purpose === 'reminder')).toHaveLength(30);
    expect(rows.filter((r) => r.purpose === 'meeting-announcement')).toHaveLength(1);
    expect(rows.every((r) => r.expires_at?.toISOString() === '2026-03-03T09:00:00.000Z')).toBe(true);
    expect(rows.find((r) => r.dedupe_key.endsWith(':U1'))!.text).toContain(
      '|Tuesday 3 March, 14:30> (your time, Asia/Kolkata)',
    );
    expect(rows.find((r) => r.dedupe_key.endsWith(':U20'))!.text).toContain(
      '|Tuesday 3 March, 10:00> (your time, Europe/Amsterdam)',
    );
    // Each racing run may refresh the cache first; only one queues.
    expect(refreshed).toContain('T1');
    expect(logs.filter((l) => l.includes('queued 30'))).toHaveLength(1);

    // 10 March is skipped: nothing is due the week after.
    await queueDueReminders(deps(), new Date('2026-03-10T08:30:00Z'));
    expect(await database.db.selectFrom('outbox').selectAll().execute()).toHaveLength(31);
    await queueDueReminders(deps(), new Date('2026-03-17T08:30:00Z'));
    expect(await database.db.selectFrom('outbox').selectAll().execute()).toHaveLength(62);
  });
});
