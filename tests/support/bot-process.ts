import { spawn, type ChildProcess } from 'node:child_process';
import { builtMain } from './build';
import { TEAM_ID } from './fake-slack';
import { freePort, HOME_CHANNEL, SIGNING_SECRET } from './harness';
import { form, postSigned, slashCommand, type HttpResult } from './slack-requests';
import { waitUntil } from './wait';

/** `npm start` as operators run it: the compiled bot in its own process, embedded database on disk. */
export class BotProcess {
  output = '';
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Once its output pipes are closed too. */
  private closed: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static async start(env: Record<string, string>, cwd: string): Promise<BotProcess> {
    const bot = await BotProcess.launch(env, cwd);
    await bot.waitHealthy();
    return bot;
  }

  /** Starts the process without waiting for it to be ready (for starts that must be refused). */
  static async launch(env: Record<string, string>, cwd: string): Promise<BotProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [builtMain()], {
      cwd,
      // Only what we give it: no DATABASE_URL, so the embedded database in COP_DATA_DIR.
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new BotProcess(child, `http://127.0.0.1:${port}`);
  }

  /** The exit code once the process has left by itself (within `ms`). */
  async exit(ms = 30_000): Promise<number | null> {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${this.output}`)), ms).unref(),
    );
    return (await Promise.race([this.exited, timeout])).code;
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const ready = async () => {
      if (this.child.exitCode !== null) throw new Error(`the bot exited early:\n${this.output}`);
      // Ready, and start() finished (auth.test done, scheduler running): it logs that last.
      const status = await fetch(`${this.url}/readyz`).then(
        (r) => r.status,
        () => 0,
      ); // 0: not listening yet
      return status === 200 && this.output.includes('CoP bot running');
    };
    await waitUntil('the bot to become ready', ready, timeoutMs);
  }

  /** Sends the signal and waits for the exit; the time it took in ms, and the exit code. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
    const began = Date.now();
    this.child.kill(signal);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit 12 s after ${signal}:\n${this.output}`)), 12_000).unref(),
    );
    const { code } = await Promise.race([this.exited, timeout]);
    return { code, ms: Date.now() - began };
  }

  /**
   * Kills it (SIGKILL) and waits until it is gone, with its output pipes: a test file's teardown
   * that left a child running would keep jest's worker from exiting.
   */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
    await this.closed;
  }
}

/** `/cop <text>` from `user` in the home channel, signed as Slack sends it to the bot process. */
export function copCommand(bot: BotProcess, user: string, text: string, responseUrl: string): Promise<HttpResult> {
  return postSigned(
    `${bot.url}/slack/events`,
    SIGNING_SECRET,
    form(
      slashCommand({ teamId: TEAM_ID, channel: HOME_CHANNEL, user, text, responseUrl, triggerId: `trigger.${user}` }),
    ),
    'application/x-www-form-urlencoded',
  );
}
