import { createApp, type CopBot } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { AppLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { BOT_USER_ID, FakeSlack, TEAM_ID } from '../support/fake-slack';
import { FakeSocketMode } from '../support/fake-socket-mode';
import { freePort, HOME_CHANNEL, textOf } from '../support/harness';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { slashCommand } from '../support/slack-requests';
import { waitUntil } from '../support/wait';

const APP_TOKEN = 'xapp-1-A0COP-1-socketmodetoken';

describe('Socket Mode: the same app over Slack’s WebSocket', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let database: TestDatabase;
  let bot: CopBot;
  let port: number;
  let started: Promise<void>;
  const logs: string[] = [];

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    for (const id of ['U1', 'U2']) fake.addUser({ id, tz: 'Europe/Amsterdam' });
    fake.addUser({ id: BOT_USER_ID, is_bot: true });
    fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', BOT_USER_ID]);
    // hello is held back so the test can see /readyz before the handshake.
    socket = await new FakeSocketMode().start(fake, { sendHello: false });
    database = await createTestDatabase('postgres');
    port = await freePort();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: fake.url,
      PORT: String(port),
    });
    expect(config.slackSigningSecret).toBeUndefined();
    bot = createApp({
      config,
      database,
      clock: new ManualClock('2026-03-02T09:00:00Z'),
      logger: new AppLogger('info', (line) => logs.push(line)),
    });
    started = bot.start();
  });

  afterAll(async () => {
    await bot.stop();
    await socket.stop();
    await database.destroy();
    await fake.stop();
  });

  const readyz = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;

  it('opens the connection with the app-level token and is not ready until Slack says hello', async () => {
    const open = await fake.waitFor('apps.connections.open');
    expect(open.token).toBe(APP_TOKEN);
    await waitUntil('the WebSocket connection', () => socket.connections.length > 0);
    expect(socket.connections).toHaveLength(1);
    // Health is served on PORT in Socket Mode too.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await readyz()).toBe(503);

    socket.hello();
    await started;
    expect(await readyz()).toBe(200);
    expect(fake.callsOf('auth.test')[0]?.token).toBe('xoxb-test-token');
    expect(logs.join('\n')).toContain('Socket Mode');
  });

  const copCommand = (text: string, user = 'U1') => ({
    ...slashCommand({
      teamId: TEAM_ID,
      channel: HOME_CHANNEL,
      user,
      text,
      responseUrl: fake.responseUrl(),
      triggerId: `trigger.${text}`,
    }),
    is_enterprise_install: 'false',
  });

  it('/cop help through a slash_commands envelope: acked by envelope_id, answered at the response_url', async () => {
    const command = copCommand('help');
    const envelopeId = socket.send('slash_commands', command);
    const ack = await socket.ackOf(envelopeId);
    expect(ack.envelope_id).toBe(envelopeId);
    const reply = await fake.waitFor('response_url');
    expect(reply.params.response_type).toBe('ephemeral');
    expect(textOf(reply.params)).toContain('/cop setup');
    // The ack's latency is measured in Socket Mode too, under the same kind as over HTTP.
    const { samples } = parsePrometheus(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    expect(sampleValue(samples, 'cop_ack_seconds_count', { kind: 'command' })).toBeGreaterThanOrEqual(1);
  });

  it('/cop setup through the socket stores the CoP', async () => {
    const envelopeId = socket.send('slash_commands', copCommand('setup'));
    await socket.ackOf(envelopeId);
    await fake.waitFor('chat.postMessage', (c) => c.params.channel === HOME_CHANNEL);
    const cops = await database.db.selectFrom('cops').select(['channel_id', 'created_by']).execute();
    expect(cops).toEqual([{ channel_id: HOME_CHANNEL, created_by: 'U1' }]);
  });

  it('an events_api envelope (app_home_opened) is acked and handled: the Home is published', async () => {
    fake.clearCalls();
    const envelopeId = socket.send('events_api', {
      token: 'verification-token',
      team_id: TEAM_ID,
      api_app_id: 'A0COP',
      event: {
        type: 'app_home_opened',
        user: 'U2',
        channel: 'DU2',
        tab: 'home',
        event_ts: '1772442000.000100',
      },
      type: 'event_callback',
      event_id: 'EvSOCKET1',
      event_time: 1772442000,
      authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
      is_ext_shared_channel: false,
    });
    const ack = await socket.ackOf(envelopeId);
    expect(ack.envelope_id).toBe(envelopeId);
    const publish = await fake.waitFor('views.publish');
    expect(publish.params.user_id).toBe('U2');
    expect((publish.params.view as { type: string }).type).toBe('home');
    // U2 is a member of the CoP set up above, so the Home shows it.
    expect(textOf(publish.params)).toContain(HOME_CHANNEL);
  });

  it('a member_joined_channel events_api envelope updates the membership', async () => {
    fake.addUser({ id: 'U3', tz: 'Europe/Amsterdam' });
    const envelopeId = socket.send('events_api', {
      token: 'verification-token',
      team_id: TEAM_ID,
      api_app_id: 'A0COP',
      event: { type: 'member_joined_channel', user: 'U3', channel: HOME_CHANNEL, channel_type: 'C', team: TEAM_ID },
      type: 'event_callback',
      event_id: 'EvSOCKET2',
      event_time: 1772442001,
    });
    await socket.ackOf(envelopeId);
    const memberIds = async () =>
      (await database.db.selectFrom('members').select('user_id').orderBy('user_id').execute()).map((m) => m.user_id);
    await waitUntil('U3 to be a member', async () => (await memberIds()).includes('U3'));
    expect(await memberIds()).toEqual(['U1', 'U2', 'U3']);
  });

  it('/readyz turns 503 when the database stops answering', async () => {
    expect(await readyz()).toBe(200);
    await database.close();
    expect(await readyz()).toBe(503);
  });
});
