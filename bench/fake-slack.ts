import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export const BOT_USER_ID = 'UBOT';
export const TEAM_ID = 'T0BENCH';

/**
 * The smallest Slack Web API the bot needs under load: every method answers ok at once, and
 * response_url posts are counted. (tests/support/fake-slack.ts records every call, which a
 * benchmark does not want; and bench/ must build without tests/.)
 */
export class BenchSlack {
  readonly counts = new Map<string, number>();
  private server: Server | undefined;
  private ts = 0;
  url = '';

  /** With `shared`, response_url posts are also counted there, for a thread that reads them. */
  constructor(private readonly shared?: Int32Array) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const method = (req.url ?? '').startsWith('/response/')
        ? 'response_url'
        : (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
      // Drain the body; the answer does not depend on it.
      req.resume();
      req.on('end', () => {
        this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
        if (this.shared && method === 'response_url') Atomics.add(this.shared, 0, 1);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.answer(method)));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  responseUrl(id: string | number): string {
    return `${this.url.replace(/api\/$/, '')}response/${id}`;
  }

  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private answer(method: string): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: 'B0BOT', user: 'copbot', team: 'Bench' };
      case 'chat.postMessage':
        return { ok: true, channel: 'C0BENCH', ts: `1800000000.${String(++this.ts).padStart(6, '0')}` };
      case 'chat.getPermalink':
        // As Slack does: the link to the message (without it the bot asks again on every read).
        return {
          ok: true,
          channel: 'C0BENCH',
          permalink: 'https://bench.slack.com/archives/C0BENCH/p1800000000000001',
        };
      case 'users.info':
        return { ok: true, user: { id: 'U0', team_id: TEAM_ID, is_bot: false, deleted: false, tz: 'UTC' } };
      case 'conversations.members':
        return { ok: true, members: [], response_metadata: { next_cursor: '' } };
      case 'users.list':
        return { ok: true, members: [], response_metadata: { next_cursor: '' } };
      case 'views.publish':
      case 'views.open':
      case 'views.update':
        return { ok: true, view: { id: 'V0BENCH' } };
      default:
        return { ok: true };
    }
  }
}

/**
 * BenchSlack on a worker thread of its own. Slack's servers are not on the bot's machine: serving
 * the bot's Web API calls and response_url posts on the bot's own event loop would charge Slack's
 * work to the bot, and not to the bare Bolt app, which makes no such calls.
 */
export class BenchSlackThread {
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;
  url = '';

  async start(): Promise<this> {
    this.worker = new Worker(join(__dirname, 'fake-slack-worker.js'), { workerData: { counter: this.counter } });
    this.url = await new Promise<string>((resolve, reject) => {
      this.worker!.once('message', resolve);
      this.worker!.once('error', reject);
    });
    return this;
  }

  responseUrl(id: string | number): string {
    return `${this.url.replace(/api\/$/, '')}response/${id}`;
  }

  /** Only response_url posts are counted across threads. */
  count(method: 'response_url'): number {
    return method === 'response_url' ? Atomics.load(this.counter, 0) : 0;
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}
