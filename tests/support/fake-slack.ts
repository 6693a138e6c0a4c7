import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call (or response_url post) the bot made, as the fake received it. */
export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  token: string | undefined;
  at: number;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

export type Handler = (
  params: Record<string, unknown>,
  call: SlackCall,
) => FakeResponse | Record<string, unknown> | Promise<FakeResponse | Record<string, unknown>>;

export interface FakeUser {
  id: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  tz_offset?: number;
  real_name?: string;
}

// Form fields the Web API client JSON-encodes.
const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata', 'replace_original', 'delete_original']);

export const BOT_USER_ID = 'UBOT';
export const TEAM_ID = 'T0001';

/**
 * A stand-in for Slack's Web API on loopback. It records every call, answers the methods the
 * bot uses with shapes from Slack's spec, and lets a test inject failures (429s, errors).
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly users = new Map<string, FakeUser>();
  /** channel id -> member user ids (humans and bots), for conversations.members. */
  readonly channels = new Map<string, string[]>();
  /** Messages posted by the bot, by channel and ts, kept current by chat.update/delete. */
  readonly messages = new Map<string, Record<string, unknown>>();
  private readonly handlers = new Map<string, Handler>();
  private readonly injected = new Map<string, FakeResponse[]>();
  private server: Server | undefined;
  private tsCounter = 0;
  private viewCounter = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** A response_url for a slash command or interaction; posts to it are recorded as `response_url`. */
  responseUrl(id: string = String(++this.tsCounter)): string {
    return `${this.url.replace(/api\/$/, '')}response/${id}`;
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  setChannelMembers(channelId: string, userIds: string[]): void {
    this.channels.set(channelId, [...userIds]);
  }

  /** Replaces the answer to a method (until reset). */
  on(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  /** The next calls of `method` get these responses, in order, before normal service resumes. */
  inject(method: string, ...responses: FakeResponse[]): void {
    this.injected.set(method, [...(this.injected.get(method) ?? []), ...responses]);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  lastCall(method: string): SlackCall | undefined {
    return this.callsOf(method).at(-1);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Waits until a call matching `predicate` arrives (for work done after the ack). */
  async waitFor(
    method: string,
    predicate: (call: SlackCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<SlackCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.callsOf(method).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} call arrived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    const isResponseUrl = path.startsWith('/response/');
    const method = isResponseUrl ? 'response_url' : path.replace(/^\/api\//, '');
    const params = parseParams(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    const call: SlackCall = {
      method,
      params,
      token: auth?.startsWith('Bearer ') ? auth.slice(7) : (params.token as string | undefined),
      at: Date.now(),
    };
    this.calls.push(call);

    const queued = this.injected.get(method);
    let response: FakeResponse;
    if (queued && queued.length > 0) {
      response = queued.shift()!;
    } else {
      const handler = this.handlers.get(method);
      const result = handler ? await handler(params, call) : this.defaultResponse(method, params);
      response =
        'body' in result && typeof result.body === 'object'
          ? (result as FakeResponse)
          : { body: result as Record<string, unknown> };
    }
    res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
    res.end(JSON.stringify(response.body));
  }

  private defaultResponse(method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'response_url':
        return { ok: true };
      case 'auth.test':
        return {
          ok: true,
          url: 'https://example.slack.com/',
          team: 'Example',
          user: 'copbot',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: 'B0BOT',
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const channel = String(params.channel);
        // Posting to a user ID opens (or reuses) the DM with them, as Slack does.
        const channelId = /^[UW]/.test(channel) ? `D${channel}` : channel;
        const message = { ...params, ts, channel: channelId, user: BOT_USER_ID, bot_id: 'B0BOT' };
        this.messages.set(`${channelId}:${ts}`, message);
        return { ok: true, channel: channelId, ts, message };
      }
      case 'chat.update': {
        const key = `${String(params.channel)}:${String(params.ts)}`;
        const existing = this.messages.get(key);
        if (!existing) return { ok: false, error: 'message_not_found' };
        this.messages.set(key, { ...existing, ...params });
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      }
      case 'chat.delete':
        this.messages.delete(`${String(params.channel)}:${String(params.ts)}`);
        return { ok: true, channel: params.channel, ts: params.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: params.channel,
          permalink: `https://example.slack.com/archives/${String(params.channel)}/p${String(params.message_ts).replace('.', '')}`,
        };
      case 'conversations.open': {
        const users = String(params.users ?? '');
        return { ok: true, channel: { id: `D${users}` } };
      }
      case 'conversations.join':
        return { ok: true, channel: { id: params.channel } };
      case 'conversations.members': {
        const members = this.channels.get(String(params.channel));
        if (!members) return { ok: false, error: 'not_in_channel' };
        return paginate(members, params, 'members');
      }
      case 'conversations.info':
        return { ok: true, channel: { id: params.channel, name: 'cop', is_private: false } };
      case 'users.info': {
        const user = this.users.get(String(params.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { team_id: TEAM_ID, ...user } };
      }
      case 'users.list':
        return paginate(
          [...this.users.values()].map((u) => ({ team_id: TEAM_ID, ...u })),
          params,
          'members',
        );
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish': {
        const view = (params.view ?? {}) as Record<string, unknown>;
        return { ok: true, view: { id: `V${++this.viewCounter}`, ...view } };
      }
      case 'reactions.add':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `1700000000.${String(this.tsCounter).padStart(6, '0')}`;
  }
}

function paginate<T>(items: T[], params: Record<string, unknown>, key: string): Record<string, unknown> {
  const limit = Number(params.limit ?? 100) || 100;
  const start = Number(params.cursor ?? 0) || 0;
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : '';
  return { ok: true, [key]: page, response_metadata: { next_cursor: next } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(key)) {
      try {
        params[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON after all; keep the string
      }
    }
    params[key] = value;
  }
  return params;
}
