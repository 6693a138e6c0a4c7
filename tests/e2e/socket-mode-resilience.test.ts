import { createApp, type CopBot } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { AppLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { BOT_USER_ID, FakeSlack, TEAM_ID } from '../support/fake-slack';
import { FakeSocketMode } from '../support/fake-socket-mode';
import { freePort, HOME_CHANNEL } from '../support/harness';
import { waitUntil } from '../support/wait';

/**
 * Socket Mode through refreshes and drops: Slack's `disconnect` notice, a socket cut without a
 * close frame, one that goes silent. The bot's readiness is recorded at each change, so the
 * time without a ready socket is measured, not sampled.
 */
describe('Socket Mode without a gap', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let database: TestDatabase;
  let bot: CopBot;
  let port: number;
  /** Each change of "has a ready socket", with when it happened. */
  const changes: Array<{ connected: boolean; at: number }> = [];

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    fake.addUser({ id: 'U1', tz: 'Europe/Amsterdam' });
    fake.addUser({ id: BOT_USER_ID, is_bot: true });
    fake.setChannelMembers(HOME_CHANNEL, ['U1', BOT_USER_ID]);
    socket = await new FakeSocketMode().start(fake);
    database = await createTestDatabase('postgres');
    port = await freePort();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-1-A0COP-1-socketmodetoken',
      SLACK_API_URL: fake.url,
      PORT: String(port),
    });
    bot = createApp({
      config,
      database,
      clock: new ManualClock('2026-03-02T09:00:00Z'),
      logger: new AppLogger('error', () => undefined),
      socketMode: {
        timings: { pingIntervalMs: 100, helloTimeoutMs: 2_000, backoffBaseMs: 50 },
        onConnectedChange: (connected) => changes.push({ connected, at: performance.now() }),
      },
    });
    await bot.start();
  });

  afterAll(async () => {
    await bot.stop();
    await socket.stop();
    await database.destroy();
    await fake.stop();
  });

  const readyz = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  const connected = () => changes.at(-1)?.connected === true;

  /** Time spent without a ready socket since `since` (performance.now()), up to now. */
  function gapSince(since: number): number {
    let gap = 0;
    let downAt: number | undefined;
    for (const change of changes.filter((c) => c.at >= since)) {
      if (!change.connected) downAt = change.at;
      else if (downAt !== undefined) {
        gap += change.at - downAt;
        downAt = undefined;
      }
    }
    return gap + (downAt !== undefined ? performance.now() - downAt : 0);
  }

  const help = () => ({
    token: 'verification-token',
    team_id: TEAM_ID,
    channel_id: HOME_CHANNEL,
    channel_name: 'cop',
    user_id: 'U1',
    user_name: 'u1',
    command: '/cop',
    text: 'help',
    api_app_id: 'A0COP',
    response_url: fake.responseUrl(),
    trigger_id: 'trigger.help',
  });

  /** Each envelope acknowledged exactly once, on the connection it was sent on. */
  async function expectAckedOnceWhereSent(envelopeIds: string[]): Promise<void> {
    for (const id of envelopeIds) await socket.ackOf(id);
    for (const id of envelopeIds) {
      expect(socket.acksOf(id).map((a) => a.connection)).toEqual([socket.sentOn.get(id)]);
    }
  }

  it('is ready once Slack said hello', async () => {
    expect(connected()).toBe(true);
    expect(await readyz()).toBe(200);
  });

  it('on `disconnect` (refresh_requested) opens the next socket before the old one closes: no gap, nothing lost', async () => {
    const start = performance.now();
    const before = socket.connections.length;
    const old = socket.current();
    const early = socket.send('slash_commands', help(), old);
    socket.disconnectNotice(old, 'refresh_requested');
    // Slack may still deliver on the old socket until it closes it.
    const during = socket.send('slash_commands', help(), old);
    const next = await waitUntil('the next socket', () => socket.connections[before]);
    const after = socket.send('slash_commands', help(), next);
    // Slack closes the old socket (if the bot has not already, once its acks were sent).
    if (old.readyState === old.OPEN) old.close(1001, 'refresh');
    await waitUntil('the old socket closed', () => old.readyState === old.CLOSED);

    await expectAckedOnceWhereSent([early, during, after]);
    expect(gapSince(start)).toBeLessThan(1_000);
    expect(connected()).toBe(true);
    expect(await readyz()).toBe(200);
  });

  it('a `warning` notice works the same way', async () => {
    const start = performance.now();
    const before = socket.connections.length;
    const old = socket.current();
    socket.disconnectNotice(old, 'warning');
    await waitUntil('the next socket', () => socket.connections[before]);
    await waitUntil('the old socket closed by the bot', () => old.readyState === old.CLOSED);
    expect(gapSince(start)).toBeLessThan(1_000);
    expect(socket.open).toHaveLength(1);
  });

  it('after a drop without a close frame, reconnects at once (well under 2 s)', async () => {
    const before = socket.connections.length;
    const droppedAt = performance.now();
    socket.drop();
    await waitUntil('a new socket', () => socket.connections[before]);
    await waitUntil('ready again', () => changes.at(-1)!.at > droppedAt && connected());
    expect(performance.now() - droppedAt).toBeLessThan(2_000);
    const envelope = socket.send('slash_commands', help());
    await expectAckedOnceWhereSent([envelope]);
  });

  it('/readyz is 503 while no socket is ready, 200 again once one is', async () => {
    socket.holdHello(true);
    const before = socket.connections.length;
    socket.drop();
    await waitUntil('a new socket (without hello)', () => socket.connections[before]);
    await waitUntil('/readyz 503', async () => (await readyz()) === 503);
    expect(connected()).toBe(false);
    socket.holdHello(false);
    socket.hello(socket.connections[before]);
    await waitUntil('/readyz 200', async () => (await readyz()) === 200);
  });

  it('a socket that goes silent (no close, no pongs) is dropped and replaced; /readyz tells the truth', async () => {
    const before = socket.connections.length;
    const silentAt = performance.now();
    socket.silence();
    await waitUntil('the silent socket given up', () => changes.some((c) => c.at > silentAt && !c.connected));
    await waitUntil('a new socket', () => socket.connections[before]);
    await waitUntil('ready again', () => connected());
    expect(await readyz()).toBe(200);
    const envelope = socket.send('slash_commands', help());
    await expectAckedOnceWhereSent([envelope]);
  });
});
