import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack';

/** What the bot sent back over the socket for one envelope. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

/**
 * Slack's Socket Mode end on loopback: `apps.connections.open` (answered by the fake Web API)
 * hands out this server's URL; the bot connects, gets `hello`, and acknowledges each envelope by
 * its envelope_id, as in slack-reference/payloads/socket-mode/.
 */
export class FakeSocketMode {
  readonly acks: SocketAck[] = [];
  readonly connections: WebSocket[] = [];
  private server: WebSocketServer | undefined;
  url = '';

  async start(fake: FakeSlack, options: { sendHello?: boolean } = {}): Promise<this> {
    const sendHello = options.sendHello ?? true;
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/link' });
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}/link`;
    fake.on('apps.connections.open', () => ({ ok: true, url: this.url }));
    this.server.on('connection', (socket) => {
      this.connections.push(socket);
      socket.on('message', (data) => this.acks.push(JSON.parse(String(data)) as SocketAck));
      if (sendHello) this.hello(socket);
    });
    return this;
  }

  /** Slack's handshake; the client counts as connected only after it. */
  hello(socket: WebSocket = this.current()): void {
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-local', build_number: 10, approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0COP' },
      }),
    );
  }

  /** Sends an envelope on the current connection and returns its envelope_id. */
  send(type: 'slash_commands' | 'events_api' | 'interactive', payload: Record<string, unknown>): string {
    const envelopeId = randomUUID();
    this.current().send(
      JSON.stringify({
        envelope_id: envelopeId,
        payload,
        type,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
      }),
    );
    return envelopeId;
  }

  /** Waits for the bot's ack of an envelope. */
  async ackOf(envelopeId: string, timeoutMs = 5000): Promise<SocketAck> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ack = this.acks.find((a) => a.envelope_id === envelopeId);
      if (ack) return ack;
      if (Date.now() > deadline) throw new Error(`envelope ${envelopeId} was not acknowledged within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  current(): WebSocket {
    const socket = this.connections.at(-1);
    if (!socket) throw new Error('the bot has not connected');
    return socket;
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
