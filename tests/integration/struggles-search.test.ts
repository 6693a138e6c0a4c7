import { listStrugglesSince } from '../../src/features/struggles';
import * as search from '../../src/features/struggles/search-repository';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';

describe.each(DATABASE_KINDS)('struggle search and listings on %s', (kind) => {
  let database: TestDatabase;
  let copId: number;
  let otherCopId: number;
  const t0 = new Date('2026-03-02T09:00:00Z');
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  let n = 0;

  async function struggle(cop: number, text: string, extra: { tags?: string; tried?: string; minutes?: number } = {}) {
    n += 1;
    const row = await database.db
      .insertInto('struggles')
      .values({
        cop_id: cop,
        channel_id: cop === copId ? 'C1' : 'C2',
        text,
        tags: extra.tags ?? '',
        tried: extra.tried ?? '',
        message_ts: `1700000000.${String(n).padStart(6, '0')}`,
        permalink: `https://example.slack.com/p${n}`,
        created_at: at(extra.minutes ?? n),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function reply(struggleId: number, text: string, helpful = 0) {
    n += 1;
    await database.db
      .insertInto('struggle_replies')
      .values({
        struggle_id: struggleId,
        kind: 'member',
        user_id: 'U4',
        text,
        message_ts: `1700000001.${String(n).padStart(6, '0')}`,
        created_at: at(n),
        helpful_count: helpful,
      })
      .execute();
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const cops = await database.db
      .insertInto('cops')
      .values([
        { team_id: 'T1', channel_id: 'C1', created_by: 'U1' },
        { team_id: 'T1', channel_id: 'C2', created_by: 'U1' },
      ])
      .returning('id')
      .execute();
    copId = cops[0]!.id;
    otherCopId = cops[1]!.id;
  }, 120_000);
  afterAll(() => database.destroy());

  it('ranks struggles by their words (text over topics over tried) and their replies, excluding hidden ones', async () => {
    const strong = await struggle(copId, 'Flaky tests: our flaky tests fail randomly', { tags: 'testing' });
    const topicOnly = await struggle(copId, 'The pipeline is slow', { tags: 'flaky' });
    const viaReply = await struggle(copId, 'Nobody trusts the build');
    await reply(viaReply, 'It is flaky because of shared state', 1);
    const hidden = await struggle(copId, 'Flaky flaky flaky tests everywhere');
    await database.db
      .updateTable('struggles')
      .set({ hidden_at: at(100) })
      .where('id', '=', hidden)
      .execute();
    await struggle(otherCopId, 'Flaky tests in another CoP');
    const unposted = await database.db
      .insertInto('struggles')
      .values({ cop_id: copId, channel_id: 'C1', text: 'flaky but never posted', created_at: at(0) })
      .returning('id')
      .executeTakeFirstOrThrow();

    const hits = await search.searchStruggles(database.db, copId, 'flaky tests', 10);
    expect(hits.map((h) => h.id)).toEqual([strong]);

    const loose = await search.searchStruggles(database.db, copId, 'flaky', 10);
    expect(loose.map((h) => h.id)).toEqual([strong, topicOnly, viaReply]);
    expect(loose.map((h) => h.id)).not.toContain(hidden);
    expect(loose.map((h) => h.id)).not.toContain(unposted.id);
    expect(loose[0]!.rank).toBeGreaterThan(loose[1]!.rank);
    expect(loose[0]!.permalink).toMatch(/^https:/);

    // Stemming and web-search syntax: "failing" finds "fail", a minus leaves words out.
    expect((await search.searchStruggles(database.db, copId, 'failing', 10)).map((h) => h.id)).toEqual([strong]);
    expect((await search.searchStruggles(database.db, copId, 'flaky -pipeline', 10)).map((h) => h.id)).not.toContain(
      topicOnly,
    );
    // Only stop words or punctuation: no match, no error.
    expect(await search.searchStruggles(database.db, copId, 'the and', 10)).toEqual([]);
    expect(await search.searchStruggles(database.db, copId, '!!! ((', 10)).toEqual([]);

    const helpful = await search.helpfulAnswers(database.db, [strong, viaReply]);
    expect(helpful.map((r) => r.text)).toEqual(['It is flaky because of shared state']);
  });

  it('lists struggles since a date for a meeting agenda, oldest first, hidden and unposted left out', async () => {
    const since = at(1000);
    const a = await struggle(copId, 'First after the meeting', { minutes: 1001 });
    const b = await struggle(copId, 'Second after the meeting', { minutes: 1002 });
    const gone = await struggle(copId, 'Hidden after the meeting', { minutes: 1003 });
    await database.db
      .updateTable('struggles')
      .set({ hidden_at: at(1004) })
      .where('id', '=', gone)
      .execute();
    await struggle(otherCopId, 'Elsewhere', { minutes: 1005 });
    const listed = await listStrugglesSince(database.db, copId, since);
    expect(listed.map((s) => s.id)).toEqual([a, b]);
    expect(listed[0]).toMatchObject({ excerpt: 'First after the meeting', channelId: 'C1', resolved: false });
    expect(listed[0]!.permalink).toMatch(/^https:/);
    expect(listed[0]!.messageTs).toMatch(/^1700000000\./);
  });
});
