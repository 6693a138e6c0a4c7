import { WebClient } from '@slack/web-api';
import { AppLogger } from '../../src/logger';
import { drainOutbox, enqueueDms } from '../../src/slack/outbox';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';
import { FakeSlack } from '../support/fake-slack';
import { waitUntil } from '../support/wait';

describe.each(DATABASE_KINDS)('the DM outbox on %s', (kind) => {
  let database: TestDatabase;
  let fake: FakeSlack;
  let client: WebClient;
  const logs: string[] = [];
  const logger = new AppLogger('info', (line) => logs.push(line));
  const now = new Date('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    fake = await new FakeSlack().start();
    client = new WebClient('xoxb-test', {
      slackApiUrl: fake.url,
      logger,
      retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 20 },
    });
  });
  afterAll(async () => {
    await database.destroy();
    await fake.stop();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('outbox').execute();
    fake.clearCalls();
  });

  const dm = (key: string, recipient: string, extra: Partial<Parameters<typeof enqueueDms>[1][number]> = {}) => ({
    dedupeKey: key,
    purpose: 'test',
    recipient,
    text: `hello ${recipient}`,
    notBefore: now,
    ...extra,
  });

  it('queues a key once, however often it is enqueued', async () => {
    expect(await enqueueDms(database.db, [dm('k:U1', 'U1'), dm('k:U2', 'U2')])).toBe(2);
    expect(await enqueueDms(database.db, [dm('k:U1', 'U1'), dm('k:U3', 'U3')])).toBe(1);
    const rows = await database.db.selectFrom('outbox').select('dedupe_key').orderBy('dedupe_key').execute();
    expect(rows.map((r) => r.dedupe_key)).toEqual(['k:U1', 'k:U2', 'k:U3']);
  });

  it('sends each due DM exactly once when two senders drain at the same time', async () => {
    const recipients = Array.from({ length: 40 }, (_, i) => `U${i}`);
    await enqueueDms(
      database.db,
      recipients.map((r) => dm(`once:${r}`, r)),
    );
    const [a, b] = await Promise.all([
      drainOutbox(database.db, client, logger, () => now, { batchSize: 7 }),
      drainOutbox(database.db, client, logger, () => now, { batchSize: 7 }),
    ]);
    expect(a.sent + b.sent).toBe(40);
    const sentTo = fake.callsOf('chat.postMessage').map((c) => c.params.channel);
    expect(sentTo.sort()).toEqual([...recipients].sort());
    const again = await drainOutbox(database.db, client, logger, () => now);
    expect(again.sent).toBe(0);
  });

  it('waits for messages not yet due and drops expired ones unsent', async () => {
    await enqueueDms(database.db, [
      dm('later', 'U1', { notBefore: new Date(now.getTime() + 60_000) }),
      dm('stale', 'U2', { expiresAt: new Date(now.getTime() - 1) }),
    ]);
    const result = await drainOutbox(database.db, client, logger, () => now);
    expect(result).toMatchObject({ sent: 0, expired: 1 });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
    const later = await drainOutbox(database.db, client, logger, () => new Date(now.getTime() + 61_000));
    expect(later.sent).toBe(1);
  });

  it('rides out a 429 without dropping or duplicating, and gives up on a user who cannot get DMs', async () => {
    fake.inject('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { ok: false, error: 'ratelimited' },
    });
    fake.on('chat.postMessage', (params) =>
      params.channel === 'UGONE'
        ? { ok: false, error: 'user_not_found' }
        : { ok: true, channel: `D${String(params.channel)}`, ts: '1.1' },
    );
    await enqueueDms(database.db, [dm('r:U1', 'U1'), dm('r:GONE', 'UGONE')]);
    const result = await drainOutbox(database.db, client, logger, () => now, { concurrency: 1 });
    expect(result).toMatchObject({ sent: 1, failed: 1 });
    const delivered = fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'U1');
    expect(delivered.length).toBe(2); // the 429'd attempt and the one that went through
    const rows = await database.db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'last_error'])
      .orderBy('dedupe_key')
      .execute();
    expect(rows).toEqual([
      { dedupe_key: 'r:GONE', status: 'failed', last_error: 'user_not_found' },
      { dedupe_key: 'r:U1', status: 'sent', last_error: null },
    ]);
    expect(logs.join('\n')).toContain('failed for good: user_not_found');
  });

  it('on shutdown (its signal), sends in flight finish and are recorded; the rest of the fan-out stays queued', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.on('chat.postMessage', async (params) => {
      await held;
      return fake.post(params);
    });
    await enqueueDms(
      database.db,
      Array.from({ length: 100 }, (_, i) => dm(`stop:${i}`, `US${i}`)),
    );
    const stop = new AbortController();
    const drain = drainOutbox(database.db, client, logger, () => now, { concurrency: 5, signal: stop.signal });
    await waitUntil('5 sends in flight', () => fake.callsOf('chat.postMessage').length === 5);
    stop.abort();
    release();
    const result = await drain;
    expect(result.sent).toBe(5);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(5);
    const pending = await database.db
      .selectFrom('outbox')
      .select(['status', 'lease_until'])
      .where('dedupe_key', 'like', 'stop:%')
      .where('status', '=', 'pending')
      .execute();
    // Given back unleased, so the next drain (here or on another instance) sends them at once.
    expect(pending).toHaveLength(95);
    expect(pending.every((row) => row.lease_until === null)).toBe(true);
  });
});
