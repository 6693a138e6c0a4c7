import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbedded } from '../../src/db/database';
import { BotProcess, copCommand } from '../support/bot-process';
import { BOT_USER_ID, FakeSlack } from '../support/fake-slack';
import { HOME_CHANNEL, SIGNING_SECRET, textOf } from '../support/harness';

// Two real processes start the embedded server and migrate it: slow on a busy CI machine.
jest.setTimeout(90_000);

describe('npm start on the embedded database: graceful shutdown and data kept across restarts', () => {
  let fake: FakeSlack;
  let dataDir: string;
  let cwd: string;
  let env: Record<string, string>;
  const running: BotProcess[] = [];

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    for (const id of ['U1', 'U2']) fake.addUser({ id, tz: 'Europe/Amsterdam' });
    fake.addUser({ id: BOT_USER_ID, is_bot: true });
    fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', BOT_USER_ID]);
    dataDir = mkdtempSync(join(tmpdir(), 'cop-data-'));
    // An empty working directory, so no developer .env is read.
    cwd = mkdtempSync(join(tmpdir(), 'cop-cwd-'));
    env = {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      COP_DATA_DIR: dataDir,
    };
  });

  afterAll(async () => {
    for (const bot of running) await bot.kill();
    await fake.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  const setup = (bot: BotProcess, user: string) => copCommand(bot, user, 'setup', fake.responseUrl(`setup-${user}`));

  it('SIGTERM while a command is still working: the work finishes, then exit 0 within 10 s', async () => {
    const bot = await BotProcess.start(env, cwd);
    running.push(bot);
    expect(bot.output).toContain('with embedded');
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    // Slack's Web API is slow today: setup is still at work after its ack when the signal comes.
    fake.on('conversations.join', async (params) => {
      await new Promise((r) => setTimeout(r, 1_000));
      return { ok: true, channel: { id: params.channel } };
    });
    const ack = await setup(bot, 'U1');
    expect(ack.status).toBe(200);
    expect(fake.callsOf('response_url')).toHaveLength(0);

    const { code, ms } = await bot.stop('SIGTERM');
    expect({ code, output: code === 0 ? '' : bot.output }).toEqual({ code: 0, output: '' });
    expect(ms).toBeLessThan(10_000);
    expect(bot.output).toContain('stopped cleanly');
    // The in-flight setup ran to its end before the process left.
    const reply = fake.callsOf('response_url').find((c) => textOf(c.params).includes('coordinator'));
    expect(reply).toBeDefined();
    expect(textOf(reply!.params)).toContain('you are its coordinator');
  });

  it('started again on the same COP_DATA_DIR, it remembers the CoP; SIGINT stops it cleanly too', async () => {
    fake.clearCalls();
    const bot = await BotProcess.start(env, cwd);
    running.push(bot);
    await setup(bot, 'U2');
    const reply = await fake.waitFor('response_url');
    expect(textOf(reply.params)).toContain('already a CoP home');
    expect(textOf(reply.params)).toContain('<@U1>');

    const { code, ms } = await bot.stop('SIGINT');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);

    // What is on disk: one CoP, its coordinator the first runner.
    const database = await openEmbedded(dataDir);
    try {
      const cops = await database.db.selectFrom('cops').select(['channel_id', 'created_by']).execute();
      expect(cops).toEqual([{ channel_id: HOME_CHANNEL, created_by: 'U1' }]);
    } finally {
      await database.close();
    }
  });
});
