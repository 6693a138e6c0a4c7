import * as service from '../../src/features/struggles/service';
import { STRUGGLES_PER_HOUR } from '../../src/features/struggles/rules';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';

describe.each(DATABASE_KINDS)('sharing a struggle on %s: all or nothing', (kind) => {
  let database: TestDatabase;
  let copId: number;
  const now = new Date('2026-03-02T09:00:00Z');
  const input = () => ({ copId, channelId: 'C1', struggle: { text: 'Hard thing', tags: '', tried: '' }, now });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const cop = await database.db
      .insertInto('cops')
      .values({ team_id: 'T1', channel_id: 'C1', created_by: 'U1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    copId = cop.id;
  }, 120_000);
  afterAll(() => database.destroy());
  beforeEach(() => database.db.deleteFrom('struggles').execute());

  it('keeps a posted struggle with its message', async () => {
    const outcome = await service.shareStruggle(
      database.db,
      input(),
      async () => ({ ts: '1.000001', permalink: 'https://x/p1' }),
      async () => undefined,
    );
    expect(outcome.status).toBe('posted');
    const rows = await database.db.selectFrom('struggles').selectAll().execute();
    expect(rows.map((r) => [r.message_ts, r.permalink])).toEqual([['1.000001', 'https://x/p1']]);
  });

  it('a refused post leaves nothing stored', async () => {
    await expect(
      service.shareStruggle(
        database.db,
        input(),
        async () => {
          throw Object.assign(new Error('refused'), { data: { error: 'restricted_action' } });
        },
        async () => undefined,
      ),
    ).rejects.toThrow('refused');
    expect(await database.db.selectFrom('struggles').selectAll().execute()).toEqual([]);
  });

  it('a post whose record cannot be kept is taken back from Slack', async () => {
    await service.shareStruggle(
      database.db,
      input(),
      async () => ({ ts: '2.000001' }),
      async () => undefined,
    );
    const retracted: string[] = [];
    // Slack answering with a ts already recorded makes the confirmation fail (unique message key).
    await expect(
      service.shareStruggle(
        database.db,
        input(),
        async () => ({ ts: '2.000001' }),
        async (ts) => void retracted.push(ts),
      ),
    ).rejects.toThrow();
    expect(retracted).toEqual(['2.000001']);
    expect(await database.db.selectFrom('struggles').selectAll().execute()).toHaveLength(1);
  });

  it('concurrent shares never exceed the hourly limit', async () => {
    let ts = 0;
    const outcomes = await Promise.all(
      Array.from({ length: STRUGGLES_PER_HOUR + 3 }, () =>
        service.shareStruggle(
          database.db,
          input(),
          async () => ({ ts: `3.${String(++ts).padStart(6, '0')}` }),
          async () => undefined,
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'posted')).toHaveLength(STRUGGLES_PER_HOUR);
    expect(outcomes.filter((o) => o.status === 'rate_limited')).toHaveLength(3);
    expect(await database.db.selectFrom('struggles').selectAll().execute()).toHaveLength(STRUGGLES_PER_HOUR);
  });
});
