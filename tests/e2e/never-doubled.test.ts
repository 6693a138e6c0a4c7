import { AppLogger } from '../../src/logger';
import { drainOutbox, enqueueDms } from '../../src/slack/outbox';
import { POST_EVENT_TYPE } from '../../src/slack/post';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { propose } from '../support/norms';
import { StruggleDriver } from '../support/struggles';

/**
 * Slack answers 500 after it has posted the message (a 5xx can mean "posted"): the bot looks for
 * the message by its metadata before posting again, so each appears once.
 */
describe('messages are never doubled when chat.postMessage fails after posting', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'] });
    await h.setupCop('U1');
  }, 120_000);
  afterAll(() => h?.stop());

  /** The next post matching `which` is stored, then answered with a 500 (once). */
  function failAfterPosting(which: (params: Record<string, unknown>) => boolean): void {
    let failed = false;
    h.fake.on('chat.postMessage', (params) => {
      const answer = h.fake.post(params);
      if (failed || !which(params)) return answer;
      failed = true;
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    });
  }

  const topLevel = () => h.fake.messagesIn(HOME_CHANNEL).filter((m) => m.thread_ts === undefined);

  it('a proposal is posted once, and the stored proposal points at that message', async () => {
    failAfterPosting((p) => p.channel === HOME_CHANNEL && !p.thread_ts);
    const proposal = await propose(h, 'U2', { title: 'Cameras optional' });
    const posts = topLevel().filter((m) => textOf(m).includes('Cameras optional'));
    expect(posts).toHaveLength(1);
    expect(proposal.message_ts).toBe(posts[0]!.ts);
    expect(posts[0]!.metadata).toEqual({
      event_type: POST_EVENT_TYPE,
      event_payload: { key: `proposal:${proposal.id}` },
    });
  });

  it('an anonymous struggle is posted once', async () => {
    failAfterPosting((p) => p.channel === HOME_CHANNEL && !p.thread_ts);
    await new StruggleDriver(h).share('U3', { text: 'Code reviews take a week and nobody knows why' });
    const posts = topLevel().filter((m) => textOf(m).includes('Code reviews take a week'));
    expect(posts).toHaveLength(1);
    const struggle = await h.db.selectFrom('struggles').selectAll().executeTakeFirstOrThrow();
    expect(struggle.message_ts).toBe(posts[0]!.ts);
  });

  it('a reminder DM from the outbox is sent once, and recorded as sent', async () => {
    failAfterPosting((p) => p.channel === 'U2');
    const now = h.clock.now();
    await enqueueDms(h.db, [
      { dedupeKey: 'reminder:test:U2', purpose: 'reminder', recipient: 'U2', text: 'Meeting soon', notBefore: now },
    ]);
    await drainOutbox(h.db, h.bot.app.client, new AppLogger('error', () => undefined), () => now);
    expect(h.fake.messagesIn('DU2').filter((m) => m.text === 'Meeting soon')).toHaveLength(1);
    const row = await h.db
      .selectFrom('outbox')
      .selectAll()
      .where('dedupe_key', '=', 'reminder:test:U2')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
  });

  it('a reminder whose first send failed ambiguously is looked for before the next drain sends it', async () => {
    // The first drain's sends all fail after posting, beyond postOnce's tries; the row is retried later.
    h.fake.on('chat.postMessage', (params) => {
      h.fake.post(params);
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    });
    h.fake.inject('conversations.history', ...Array.from({ length: 4 }, () => ({ status: 500, body: { ok: false } })));
    const now = h.clock.now();
    await enqueueDms(h.db, [
      { dedupeKey: 'reminder:test:U3', purpose: 'reminder', recipient: 'U3', text: 'Meeting later', notBefore: now },
    ]);
    const logger = new AppLogger('error', () => undefined);
    const first = await drainOutbox(h.db, h.bot.app.client, logger, () => now);
    expect(first.retried).toBe(1);
    h.fake.on('chat.postMessage', (params) => h.fake.post(params));
    const later = new Date(now.getTime() + 60 * 60_000);
    await drainOutbox(h.db, h.bot.app.client, logger, () => later);
    expect(h.fake.messagesIn('DU3').filter((m) => m.text === 'Meeting later')).toHaveLength(1);
    const row = await h.db
      .selectFrom('outbox')
      .selectAll()
      .where('dedupe_key', '=', 'reminder:test:U3')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
  });
});
