import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { createSlackTransport, type SlackTransport } from '../../src/slack/http-transport';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback server that records each request and answers what the test set for its path. */
async function startServer() {
  const seen: Seen[] = [];
  const answers = new Map<string, { status: number; headers?: Record<string, string>; body?: string }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.get(req.url ?? '') ?? { status: 200, body: '{"ok":true}' };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, answers, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the Slack HTTP transport (undici request behind a fetch)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let transport: SlackTransport;

  beforeEach(async () => {
    server = await startServer();
    transport = createSlackTransport();
  });
  afterEach(async () => {
    await transport.close();
    await server.stop();
  });

  it('POSTs a string body with its headers, and answers with the status, headers and body', async () => {
    server.answers.set('/response/1', { status: 200, headers: { 'x-slack-req-id': 'r1' }, body: '{"ok":true}' });
    const response = await transport.fetch(`${server.url}/response/1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Extra': 'yes' },
      body: '{"text":"hi"}',
    });
    expect(server.seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/response/1',
        body: '{"text":"hi"}',
        headers: expect.objectContaining({ 'content-type': 'application/json', 'x-extra': 'yes' }),
      }),
    ]);
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-slack-req-id')).toBe('r1');
    await expect(response.json()).resolves.toEqual({ ok: true });
  });

  it('passes a rate limit on as Slack sent it: 429 with Retry-After', async () => {
    server.answers.set('/api/chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: '' });
    const response = await transport.fetch(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'a=b' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('answers a 204 with no body', async () => {
    server.answers.set('/empty', { status: 204 });
    const response = await transport.fetch(`${server.url}/empty`, { method: 'POST', body: '' });
    expect(response.status).toBe(204);
    await expect(response.text()).resolves.toBe('');
  });

  it('refuses a redirect when the caller refuses redirects (the Web API client does)', async () => {
    server.answers.set('/moved', { status: 302, headers: { location: '/elsewhere' } });
    await expect(
      transport.fetch(`${server.url}/moved`, { method: 'POST', body: 'x', redirect: 'error' }),
    ).rejects.toThrow(/redirect/);
    expect(server.seen.map((s) => s.path)).toEqual(['/moved']);
  });

  it('hands bodies it does not send itself (a multipart upload) to the global fetch', async () => {
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    const response = await transport.fetch(`${server.url}/upload`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(server.seen[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(server.seen[0]!.body).toContain('hello');
  });

  it('stops a request when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      transport.fetch(`${server.url}/never`, { method: 'POST', body: 'x', signal: controller.signal }),
    ).rejects.toThrow();
  });

  it("carries the Web API client's calls: form-encoded body, token header, parsed result", async () => {
    server.answers.set('/api/chat.postMessage', { status: 200, body: '{"ok":true,"ts":"1.2"}' });
    const client = new WebClient('xoxb-transport', { slackApiUrl: `${server.url}/api/`, fetch: transport.fetch });
    const result = await client.chat.postMessage({ channel: 'C1', text: 'hello there' });
    expect(result).toMatchObject({ ok: true, ts: '1.2' });
    const call = server.seen.find((s) => s.path === '/api/chat.postMessage')!;
    expect(call.headers.authorization).toBe('Bearer xoxb-transport');
    expect(new URLSearchParams(call.body).get('text')).toBe('hello there');
  });
});
