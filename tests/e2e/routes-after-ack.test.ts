import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { AppLogger } from '../../src/logger';
import { AfterAckQueue } from '../../src/slack/after-ack';
import { SlackRoutes } from '../../src/slack/routes';
import { FakeSlack } from '../support/fake-slack';
import { freePort } from '../support/harness';
import { form, postSigned } from '../support/slack-requests';
import { waitUntil } from '../support/wait';

const SECRET = 'routes-secret';

/**
 * SlackRoutes on a real Bolt app in HTTP mode, with one after-ack slot: every command and click
 * is acknowledged at once, and the work after the acks runs one job at a time.
 */
describe('SlackRoutes: acks at once, the work after them a slot at a time', () => {
  let app: App;
  let fake: FakeSlack;
  let url: string;
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  let queue: AfterAckQueue;
  const work = (name: string) => {
    started.push(name);
    return new Promise<void>((resolve) => gates.set(name, resolve));
  };

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    const logger = new AppLogger('warn');
    const port = await freePort();
    app = new App({
      token: 'xoxb-routes',
      receiver: new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events', logger }),
      logger,
      logLevel: LogLevel.WARN,
      clientOptions: { slackApiUrl: fake.url },
    });
    queue = new AfterAckQueue({ concurrency: 1, leaseMs: 60_000 });
    const routes = new SlackRoutes(logger, queue);
    routes.command('/cop', async ({ ack, command }) => {
      await ack();
      await work(`command ${command.text}`);
    });
    routes.action('test:click', async ({ ack, body }) => {
      await ack();
      await work(`click ${(body as { user: { id: string } }).user.id}`);
    });
    routes.attach(app);
    await app.start(port);
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    for (const open of gates.values()) open();
    await app.stop();
    await fake.stop();
  });

  const command = (text: string) =>
    postSigned(
      url,
      SECRET,
      form({ command: '/cop', text, user_id: 'U1', channel_id: 'C1', team_id: 'T1', response_url: fake.responseUrl() }),
      'application/x-www-form-urlencoded',
    );
  const click = (user: string) =>
    postSigned(
      url,
      SECRET,
      form({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: user },
          team: { id: 'T1' },
          actions: [{ action_id: 'test:click', block_id: 'b', type: 'button', action_ts: '1.1' }],
        }),
      }),
      'application/x-www-form-urlencoded',
    );

  it('acks every request while one job works, then runs the waiting ones in arrival order', async () => {
    const first = await command('first');
    expect(first.status).toBe(200);
    await waitUntil('the first job to start', () => started.length === 1);

    // The slot is taken: these are acknowledged all the same, and wait.
    expect((await click('U2')).status).toBe(200);
    expect((await command('second')).status).toBe(200);
    // Both wait for the slot (the positive event); only then is "not started" judged.
    await waitUntil('the click and the second command to wait', () => queue.pending === 2);
    expect(started).toEqual(['command first']);

    gates.get('command first')!();
    await waitUntil('the click to start', () => started.length === 2);
    expect(started).toEqual(['command first', 'click U2']);
    gates.get('click U2')!();
    await waitUntil('the second command to start', () => started.length === 3);
    expect(started[2]).toBe('command second');
  });
});
