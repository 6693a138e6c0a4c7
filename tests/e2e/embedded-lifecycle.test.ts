import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../src/db/embedded/data-dir';
import { BotProcess, copCommand } from '../support/bot-process';
import { BOT_USER_ID, FakeSlack } from '../support/fake-slack';
import { HOME_CHANNEL, SIGNING_SECRET, textOf } from '../support/harness';
import { waitUntil } from '../support/wait';

// Real processes, each starting (or refused) on one data directory.
jest.setTimeout(120_000);

/** The pid in the cluster's postmaster.pid: the server a bot started. */
const serverPid = (dataDir: string) =>
  Number.parseInt(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);

describe('the embedded PostgreSQL server across crashes, second bots and old data', () => {
  let fake: FakeSlack;
  let cwd: string;
  const dirs: string[] = [];
  const running: BotProcess[] = [];
  const envFor = (dataDir: string) => ({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    COP_DATA_DIR: dataDir,
  });
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cop-life-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string) => {
    const bot = await BotProcess.start(envFor(dataDir), cwd);
    running.push(bot);
    return bot;
  };
  const setup = (bot: BotProcess, user: string) =>
    copCommand(bot, user, 'setup', fake.responseUrl(`setup-${user}-${Date.now()}`));

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    for (const id of ['U1', 'U2']) fake.addUser({ id, tz: 'Europe/Amsterdam' });
    fake.addUser({ id: BOT_USER_ID, is_bot: true });
    fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', BOT_USER_ID]);
    cwd = mkdtempSync(join(tmpdir(), 'cop-cwd-'));
  });

  afterAll(async () => {
    for (const bot of running) await bot.stop('SIGTERM').catch(() => bot.kill());
    for (const bot of running) await bot.kill();
    await fake.stop();
    for (const dir of [...dirs, cwd]) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its generated password in COP_DATA_DIR, readable by its owner only', async () => {
    const dataDir = newDataDir();
    const bot = await start(dataDir);
    const password = join(dataDir, 'postgres-password');
    expect(statSync(password).mode & 0o777).toBe(0o600);
    expect(readFileSync(password, 'utf8').trim()).toMatch(/^[\w-]{20,}$/);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    // SIGTERM: the bot stops, then its server, and the lock goes.
    const server = serverPid(dataDir);
    expect((await bot.stop('SIGTERM')).code).toBe(0);
    expect(isAlive(server)).toBe(false);
    expect(existsSync(join(dataDir, 'bot.pid'))).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('after a SIGKILL, the next start stops the server left behind and finds the data intact', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    await setup(first, 'U1');
    const reply = await fake.waitFor('response_url', (c) => textOf(c.params).includes('you are its coordinator'));
    expect(reply).toBeDefined();
    const orphan = serverPid(dataDir);

    await first.stop('SIGKILL');
    // The bot is gone; its server is not (nothing told it): the case the next start must handle.
    expect(isAlive(orphan)).toBe(true);

    const second = await start(dataDir);
    expect(second.output).toContain(`stopped the PostgreSQL server (pid ${orphan}) an earlier bot left running`);
    expect(isAlive(orphan)).toBe(false);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    fake.clearCalls();
    await setup(second, 'U2');
    const again = await fake.waitFor('response_url');
    expect(textOf(again.params)).toContain('already a CoP home');
    expect(textOf(again.params)).toContain('<@U1>');
    expect((await second.stop('SIGTERM')).code).toBe(0);
  });

  it('a pid file left by a server that is gone is cleared, and the bot starts', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    const server = serverPid(dataDir);
    await first.stop('SIGKILL');
    process.kill(server, 'SIGKILL');
    await waitUntil('the server to be gone', () => !isAlive(server));
    // Both the bot's lock and postmaster.pid now name processes that no longer run.
    expect(existsSync(join(dataDir, 'bot.pid'))).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);
    const second = await start(dataDir);
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  });

  it('a second bot on the same COP_DATA_DIR is refused with one line, and the first keeps running', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    const second = await BotProcess.launch(envFor(dataDir), cwd);
    running.push(second);
    expect(await second.exit()).toBe(2);
    const lines = second.output.trim().split('\n');
    expect(lines).toEqual([
      `Another CoP bot (pid ${first.child.pid}) is already running on COP_DATA_DIR=${dataDir}: stop it first, or give this one another COP_DATA_DIR.`,
    ]);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect((await first.stop('SIGTERM')).code).toBe(0);
  });

  it('a COP_DATA_DIR holding an earlier version’s PGlite database stops the start with one line saying what to do', async () => {
    const dataDir = newDataDir();
    // What PGlite left on disk: a PostgreSQL data directory under pglite/.
    mkdirSync(join(dataDir, 'pglite', 'base'), { recursive: true });
    writeFileSync(join(dataDir, 'pglite', 'PG_VERSION'), '17\n');
    const bot = await BotProcess.launch(envFor(dataDir), cwd);
    running.push(bot);
    expect(await bot.exit()).toBe(2);
    const lines = bot.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${join(dataDir, 'pglite')} holds the database of an earlier CoP bot version (PGlite)`);
    expect(lines[0]).toContain('"Moving from PGlite" in README.md');
    // Nothing was started nor created beside it.
    expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
    expect(existsSync(join(dataDir, 'bot.pid'))).toBe(false);
  });
});
