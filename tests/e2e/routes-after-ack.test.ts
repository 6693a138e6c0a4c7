import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { AppLogger } from '../../src/logger';
import { AfterAckQueue } from '../../src/slack/after-ack';
import { BUSY_TEXT, SlackRoutes } from '../../src/slack/routes';
import { FakeSlack } from '../support/fake-slack';
import { freePort } from '../support/harness';
import { form, postSigned } from '../support/slack-requests';
import { waitUntil } from '../support/wait';

const SECRET = 'routes-secret';

/**
 * SlackRoutes on a real Bolt app in HTTP mode, with one after-ack slot and room for two jobs to
 * wait: every command is acknowledged at once, the work after the acks runs one job at a time,
 * a command beyond the bound is told at once that the bot is busy, and clicks and commands that
 * open a modal never wait behind the queue.
 */
describe('SlackRoutes: acks at once, the work after them a slot at a time, bounded', () => {
  let app: App;
  let fake: FakeSlack;
  let url: string;
  const started: string[] = [];
  const finished: string[] = [];
  const gates = new Map<string, () => void>();
  const work = async (name: string) => {
    started.push(name);
    await new Promise<void>((resolve) => gates.set(name, resolve));
    finished.push(name);
  };
  const open = (name: string) => gates.get(name)!();

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
    const routes = new SlackRoutes(logger, new AfterAckQueue({ concurrency: 1, leaseMs: 60_000, maxWaiting: 2 }));
    routes.command(
      '/cop',
      async ({ ack, command }) => {
        await ack();
        await work(`command ${command.text}`);
      },
      { runsAtOnce: (command) => command.text.startsWith('propose') },
    );
    routes.action('test:click', async ({ ack, body }) => {
      await ack();
      await work(`click ${(body as { user: { id: string } }).user.id}`);
    });
    routes.attach(app);
    await app.start(port);
    url = `http://127.0.0.1:${port}/slack/events`;
  });
  afterAll(async () => {
    for (const release of gates.values()) release();
    await app.stop();
    await fake.stop();
  });
  beforeEach(() => {
    started.length = 0;
    finished.length = 0;
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
          response_url: fake.responseUrl(`click-${user}`),
          actions: [{ action_id: 'test:click', block_id: 'b', type: 'button', action_ts: '1.1' }],
        }),
      }),
      'application/x-www-form-urlencoded',
    );

  it('acks every command while one job works, then runs the waiting ones in arrival order', async () => {
    expect((await command('first')).status).toBe(200);
    await waitUntil('the first job to start', () => started.length === 1);
    // The slot is taken: this one is acknowledged all the same, and waits.
    const second = await command('second');
    expect(second).toMatchObject({ status: 200, body: '' });
    // A click (which may open a modal) does not wait behind the queue.
    expect((await click('U2')).status).toBe(200);
    await waitUntil('the click to start', () => started.includes('click U2'));
    expect(started).toEqual(['command first', 'click U2']);
    open('click U2');

    open('command first');
    await waitUntil('the second command to start', () => started.includes('command second'));
    open('command second');
    await waitUntil('all to finish', () => finished.length === 3);
  });

  it('when the queue is full, a command is answered at once that the bot is busy; every accepted job completes', async () => {
    expect((await command('a')).status).toBe(200);
    await waitUntil('a to hold the slot', () => started.includes('command a'));
    // b and c wait: the queue is now full.
    expect((await command('b')).body).toBe('');
    expect((await command('c')).body).toBe('');

    const began = Date.now();
    const busy = await command('d');
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(busy.status).toBe(200);
    expect(JSON.parse(busy.body)).toEqual({ response_type: 'ephemeral', text: BUSY_TEXT });
    expect(BUSY_TEXT).toMatch(/busy.*try again/s);

    // A command that opens a modal runs at once even now: its trigger_id would not outlive the queue.
    expect((await command('propose Cameras on')).body).toBe('');
    await waitUntil('the modal command to start', () => started.includes('command propose Cameras on'));
    open('command propose Cameras on');

    for (const name of ['a', 'b', 'c']) {
      await waitUntil(`${name} to start`, () => started.includes(`command ${name}`));
      open(`command ${name}`);
    }
    await waitUntil('every accepted job to finish', () => finished.length === 4);
    expect(finished.sort()).toEqual(['command a', 'command b', 'command c', 'command propose Cameras on']);
    // The refused one never ran.
    expect(started).not.toContain('command d');
  });
});
