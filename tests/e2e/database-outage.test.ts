import { openPostgres } from '../../src/db/database';
import { TRY_AGAIN_SHORTLY } from '../../src/slack/unavailable';
import { createTestDatabase, type TestDatabase } from '../support/database';
import type { SlackCall } from '../support/fake-slack';
import { Harness, textOf } from '../support/harness';
import { TcpProxy } from '../support/tcp-proxy';
import { waitUntil } from '../support/wait';

// Monday 2 March 2026. The meeting: Tuesdays 10:00 Amsterdam (09:00 UTC), reminders an hour before.
const START = '2026-03-02T09:00:00Z';
const REMINDER_AT = new Date('2026-03-03T08:00:00Z');

/**
 * PostgreSQL goes away (every connection reset, new ones refused) behind a loopback proxy, under
 * a stream of commands and clicks, and comes back: the bot answers throughout, says "try again"
 * while it cannot store anything, is ready again within 5 s, and sends what fell due meanwhile.
 */
describe('a database outage loses nothing and needs no restart', () => {
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let h: Harness;
  let copId: number;

  beforeAll(async () => {
    direct = await createTestDatabase('postgres');
    const target = new URL(direct.url!);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(direct.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const handle = openPostgres(viaProxy.toString(), { max: 10 });
    h = await Harness.start({
      sharedDatabase: { ...handle, url: viaProxy.toString(), destroy: () => handle.close() },
      members: ['U1', 'U2', 'U3'],
      start: START,
    });
    await h.setupCop('U1');
    copId = (await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow()).id;
    await h.command('U1', 'meeting');
    await h.clickButton('U1', 'meetings:schedule', String(copId), { messageTs: '1.1' });
    const scheduled = await h.submitView('U1', h.lastOpenedView('meetings:schedule'), {
      weekday: '2',
      time: '10:00',
      zone: 'Europe/Amsterdam',
      length: '60',
      location: 'https://meet.example.com/cop',
      lead: '60',
      skip: '',
    });
    expect(scheduled.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    proxy.restore();
    await h?.stop();
    await h?.database.destroy();
    await proxy?.stop();
    await direct?.destroy();
  });

  const status = async (path: string) => (await fetch(`${h.url}${path}`)).status;

  /** Sends a request and waits for the answer at its response_url; returns it and how long it took. */
  async function answered(send: () => Promise<unknown>): Promise<{ text: string; ms: number }> {
    const before = h.fake.callsOf('response_url').length;
    const started = Date.now();
    void send();
    const reply: SlackCall = await h.fake.waitFor(
      'response_url',
      (c) => h.fake.callsOf('response_url').indexOf(c) >= before,
      10_000,
    );
    return { text: textOf(reply.params), ms: reply.at - started };
  }

  it('during the outage: /healthz 200, /readyz 503, every command and click told to try again within 3 s', async () => {
    expect(await status('/readyz')).toBe(200);
    // A form opened before the outage and submitted during it.
    await h.command('U2', 'propose Agendas a day ahead');
    const form = await waitUntil('the proposal form', () => h.fake.lastCall('views.open'));
    proxy.cut();
    await waitUntil('/readyz 503', async () => (await status('/readyz')) === 503);
    expect(await status('/healthz')).toBe(200);

    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      answers.push(await answered(() => h.command('U2', 'norms')));
      answers.push(await answered(() => h.command('U3', 'meeting')));
      answers.push(
        await answered(() => h.clickButton('U2', 'norms:propose-open', String(copId), { messageTs: '1.1' })),
      );
    }
    for (const answer of answers) {
      expect(answer.text).toBe(TRY_AGAIN_SHORTLY);
      expect(answer.ms).toBeLessThan(3_000);
    }
    const started = Date.now();
    const submitted = await h.submitView('U2', form.params.view as Record<string, unknown>, {
      kind: 'new',
      title: 'Agendas a day ahead',
      body: 'The agenda is out a day before each meeting.',
      rationale: 'So we come prepared.',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    // The notice is pushed over the form, so closing it brings the member's input back.
    expect(submitted.json()).toMatchObject({ response_action: 'push' });
    expect(JSON.stringify(submitted.json())).toContain(TRY_AGAIN_SHORTLY);
    expect(await status('/healthz')).toBe(200);
  }, 60_000);

  it('after it: /readyz 200 within 5 s, and commands work again without a restart', async () => {
    const restoredAt = Date.now();
    proxy.restore();
    await waitUntil('/readyz 200', async () => (await status('/readyz')) === 200, 10_000);
    expect(Date.now() - restoredAt).toBeLessThan(5_000);
    const norms = await answered(() => h.command('U2', 'norms'));
    expect(norms.text).toContain('Adopted norms');
  });

  it('a database that stops answering without closing anything (a partition): still told to try again within 3 s', async () => {
    proxy.stall();
    try {
      for (const send of [
        () => h.command('U2', 'norms'),
        () => h.clickButton('U2', 'norms:propose-open', String(copId), { messageTs: '1.1' }),
      ]) {
        const answer = await answered(send);
        expect(answer.text).toBe(TRY_AGAIN_SHORTLY);
        expect(answer.ms).toBeLessThan(3_000);
      }
      expect(await status('/healthz')).toBe(200);
    } finally {
      proxy.cut();
      proxy.restore();
    }
    await waitUntil('/readyz 200', async () => (await status('/readyz')) === 200, 10_000);
  }, 60_000);

  it('reminders that fell due during an outage go out after it, once each', async () => {
    h.clock.set(REMINDER_AT);
    proxy.cut();
    await h.bot.tick(REMINDER_AT);
    const reminders = () => h.fake.callsOf('chat.postMessage').filter((c) => /^Reminder/.test(String(c.params.text)));
    expect(reminders()).toHaveLength(0);

    proxy.restore();
    await waitUntil('/readyz 200', async () => (await status('/readyz')) === 200, 10_000);
    const later = new Date(REMINDER_AT.getTime() + 60_000);
    h.clock.set(later);
    await h.bot.tick(later);
    await h.bot.tick(later);
    expect(
      reminders()
        .map((c) => c.params.channel)
        .sort(),
    ).toEqual(['U1', 'U2', 'U3']);
  });
});
