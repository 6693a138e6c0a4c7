import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Slack Web API on loopback that enforces chat.postMessage's workspace-wide limit the
 * way the benchmark takes it from Slack's rate-limit reference: at most `perWindow` calls in
 * any window of one minute (a sliding window), answering HTTP 429 with Retry-After otherwise.
 *
 * Time is compressed by `timeScale` (60: a minute lasts one second). Retry-After is given in
 * real-equivalent seconds, as Slack would send it (whole seconds, rounded up); the sender
 * scales its waits by the same factor.
 */
export class RateLimitedSlack {
  /** Successful posts per recipient, to count duplicates. */
  readonly delivered = new Map<string, number>();
  accepted = 0;
  rejected = 0;
  /** When each post was accepted (performance.now() of this process). */
  readonly acceptedAt: number[] = [];
  firstAcceptedAt = 0;
  lastAcceptedAt = 0;
  url = '';
  private server: Server | undefined;
  private readonly log: number[] = [];
  private head = 0;
  private ts = 0;

  constructor(
    private readonly users: ReadonlyArray<{ id: string; tz: string }>,
    readonly perWindow = 300,
    readonly timeScale = 60,
    readonly realWindowMs = 60_000,
  ) {}

  get windowMs(): number {
    return this.realWindowMs / this.timeScale;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const send = (body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    switch (method) {
      case 'auth.test':
        return send({ ok: true, user_id: 'UBOT', team_id: 'T0001', bot_id: 'B0BOT' });
      case 'users.list': {
        const start = Number(params.get('cursor') ?? 0) || 0;
        const limit = Number(params.get('limit') ?? 200) || 200;
        const page = this.users.slice(start, start + limit).map((u) => ({ ...u, team_id: 'T0001', is_bot: false }));
        const next = start + limit < this.users.length ? String(start + limit) : '';
        return send({ ok: true, members: page, response_metadata: { next_cursor: next } });
      }
      case 'chat.postMessage': {
        const now = performance.now();
        while (this.head < this.log.length && this.log[this.head]! <= now - this.windowMs) this.head += 1;
        if (this.log.length - this.head >= this.perWindow) {
          this.rejected += 1;
          const waitMs = this.log[this.head]! + this.windowMs - now;
          const retryAfter = Math.max(1, Math.ceil((waitMs * this.timeScale) / 1000));
          return send({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(retryAfter) });
        }
        this.log.push(now);
        this.acceptedAt.push(now);
        this.accepted += 1;
        if (!this.firstAcceptedAt) this.firstAcceptedAt = now;
        this.lastAcceptedAt = now;
        const channel = params.get('channel') ?? '';
        this.delivered.set(channel, (this.delivered.get(channel) ?? 0) + 1);
        this.ts += 1;
        return send({
          ok: true,
          channel: channel.startsWith('U') ? `D${channel}` : channel,
          ts: `1700000000.${this.ts}`,
        });
      }
      default:
        return send({ ok: false, error: 'unknown_method' });
    }
  }
}
