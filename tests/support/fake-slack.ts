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

/** A file the bot uploaded; `shared` is set by files.completeUploadExternal. */
export interface FakeFile {
  id: string;
  filename: string;
  bytes: Buffer;
  title?: string;
  altText?: string;
  shared?: { channelId?: string; threadTs?: string; initialComment?: string };
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
  /** Files uploaded through files.uploadV2 (getUploadURLExternal, the upload, completeUploadExternal), by file id. */
  readonly files = new Map<string, FakeFile>();
  /** Pinned message timestamps, by channel (pins.add / pins.remove / pins.list). */
  readonly pins = new Map<string, string[]>();
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

  /**
   * A slash command's ack that carried a message: Slack shows it to the user as it shows a
   * response_url post, so it is recorded as one (tests read the user's replies in one place).
   */
  recordAckAnswer(params: Record<string, unknown>): void {
    this.calls.push({ method: 'response_url', params, token: undefined, at: Date.now() });
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

  /**
   * What chat.postMessage does: stores the message and returns Slack's answer. A handler set with
   * `on('chat.postMessage', …)` can call it and then answer otherwise (a 500 after posting).
   */
  post(params: Record<string, unknown>): Record<string, unknown> {
    const ts = this.nextTs();
    const channel = String(params.channel);
    // Posting to a user ID opens (or reuses) the DM with them, as Slack does.
    const channelId = /^[UW]/.test(channel) ? `D${channel}` : channel;
    const message = { ...params, ts, channel: channelId, user: BOT_USER_ID, bot_id: 'B0BOT' };
    this.messages.set(`${channelId}:${ts}`, message);
    return { ok: true, channel: channelId, ts, message };
  }

  /** Messages stored in a channel (a DM's channel is `D` + the user ID), oldest first. */
  messagesIn(channel: string): Record<string, unknown>[] {
    return [...this.messages.values()]
      .filter((m) => m.channel === channel)
      .sort((a, b) => String(a.ts).localeCompare(String(b.ts)));
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
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    if (path.startsWith('/upload/')) {
      const content = fileContent(bytes, req.headers['content-type'] ?? '');
      return this.receiveUpload(path.slice('/upload/'.length), content, res);
    }
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
      case 'chat.postMessage':
        return this.post(params);
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
      case 'conversations.history': {
        // Newest first, as Slack returns it; metadata only when asked for, as Slack does.
        const channel = String(params.channel);
        const withMetadata = String(params.include_all_metadata) === 'true';
        // `oldest` is not applied: the fake's timestamps are fixed in 2023, whatever the clock says.
        const found = [...this.messages.values()]
          .filter((m) => m.channel === channel && m.thread_ts === undefined)
          .sort((a, b) => String(b.ts).localeCompare(String(a.ts)))
          .map(({ metadata, ...m }) => (withMetadata && metadata ? { ...m, metadata } : m));
        return paginate(found, params, 'messages');
      }
      case 'conversations.replies': {
        // The parent first, then its replies oldest first, as Slack returns a thread.
        const channel = String(params.channel);
        const parent = String(params.ts);
        const withMetadata = String(params.include_all_metadata) === 'true';
        const found = [...this.messages.values()]
          .filter((m) => m.channel === channel && (m.ts === parent || m.thread_ts === parent))
          .sort((a, b) => String(a.ts).localeCompare(String(b.ts)))
          .map(({ metadata, ...m }) => (withMetadata && metadata ? { ...m, metadata } : m));
        return paginate(found, params, 'messages');
      }
      case 'pins.add': {
        const channel = String(params.channel);
        const ts = String(params.timestamp);
        const pinned = this.pins.get(channel) ?? [];
        if (pinned.includes(ts)) return { ok: false, error: 'already_pinned' };
        if (!this.messages.has(`${channel}:${ts}`)) return { ok: false, error: 'message_not_found' };
        this.pins.set(channel, [...pinned, ts]);
        return { ok: true };
      }
      case 'pins.remove': {
        const channel = String(params.channel);
        const pinned = this.pins.get(channel) ?? [];
        if (!pinned.includes(String(params.timestamp))) return { ok: false, error: 'no_pin' };
        this.pins.set(
          channel,
          pinned.filter((ts) => ts !== String(params.timestamp)),
        );
        return { ok: true };
      }
      case 'pins.list': {
        const channel = String(params.channel);
        const items = (this.pins.get(channel) ?? []).map((ts) => ({
          type: 'message',
          channel,
          message: this.messages.get(`${channel}:${ts}`) ?? { ts },
        }));
        return { ok: true, items };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(++this.tsCounter).padStart(6, '0')}`;
        this.files.set(id, { id, filename: String(params.filename), bytes: Buffer.alloc(0) });
        return { ok: true, upload_url: `${this.url.replace(/api\/$/, '')}upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const listed = (typeof params.files === 'string' ? JSON.parse(params.files) : params.files) as {
          id: string;
          title?: string;
        }[];
        const shared = {
          channelId: params.channel_id as string | undefined,
          threadTs: params.thread_ts as string | undefined,
          initialComment: params.initial_comment as string | undefined,
        };
        const done = [];
        for (const { id, title } of listed ?? []) {
          const file = this.files.get(id);
          if (!file) return { ok: false, error: 'file_not_found' };
          Object.assign(file, { title, shared });
          done.push({ id, title, name: file.filename });
        }
        return { ok: true, files: done };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** The upload step of files.uploadV2: the raw bytes, posted to the URL getUploadURLExternal gave. */
  private receiveUpload(id: string, bytes: Buffer, res: ServerResponse): void {
    const file = this.files.get(id);
    if (file) file.bytes = bytes;
    res.writeHead(file ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(file ? `OK - ${bytes.length}` : 'not found');
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

/** The Web API client posts an upload as multipart form data; Slack keeps the file part's bytes. */
function fileContent(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  if (start < 0 || headersEnd < 0 || end < 0) return body;
  return body.subarray(headersEnd + 4, end);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
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
