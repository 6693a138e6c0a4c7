import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack';

/** What the bot sent back over the socket for one envelope. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** Which connection (index into `connections`) the ack came on; recorded by the fake. */
  connection: number;
}

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/**
 * Slack's Socket Mode end on loopback: `apps.connections.open` (answered by the fake Web API)
 * hands out this server's URL; the bot connects, gets `hello`, and acknowledges each envelope by
 * its envelope_id, as in slack-reference/payloads/socket-mode/.
 */
export class FakeSocketMode {
  readonly acks: SocketAck[] = [];
  readonly connections: WebSocket[] = [];
  /** The connection each envelope was sent on, by envelope_id. */
  readonly sentOn = new Map<string, number>();
  private server: WebSocketServer | undefined;
  private sendHello = true;
  url = '';

  async start(fake: FakeSlack, options: { sendHello?: boolean } = {}): Promise<this> {
    this.sendHello = options.sendHello ?? true;
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/link' });
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}/link`;
    fake.on('apps.connections.open', () => ({ ok: true, url: this.url }));
    this.server.on('connection', (socket) => {
      const connection = this.connections.push(socket) - 1;
      socket.on('message', (data) =>
        this.acks.push({ ...(JSON.parse(String(data)) as Omit<SocketAck, 'connection'>), connection }),
      );
      if (this.sendHello) this.hello(socket);
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

  /** Whether new connections get their hello at once (false: the test sends it with hello()). */
  holdHello(hold: boolean): void {
    this.sendHello = !hold;
  }

  /** Sends an envelope (on the current connection unless told) and returns its envelope_id. */
  send(type: EnvelopeType, payload: Record<string, unknown>, socket: WebSocket = this.current()): string {
    const envelopeId = randomUUID();
    this.sentOn.set(envelopeId, this.connections.indexOf(socket));
    socket.send(
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

  /** Slack's notice that it will close this connection soon (`refresh_requested` or `warning`). */
  disconnectNotice(socket: WebSocket = this.current(), reason = 'refresh_requested'): void {
    socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-local' } }));
  }

  /** Cuts a connection without a close frame (the TCP connection just ends). */
  drop(socket: WebSocket = this.current()): void {
    socket.terminate();
  }

  /**
   * Makes a connection go silent without closing: the fake stops reading it, so pings go
   * unanswered and nothing more is sent, as when a network path dies.
   */
  silence(socket: WebSocket = this.current()): void {
    (socket as unknown as { _socket: Socket })._socket.pause();
  }

  /** Connections still open from the fake's side. */
  get open(): WebSocket[] {
    return this.connections.filter((socket) => socket.readyState === socket.OPEN);
  }

  /** Every ack of an envelope (the bot must send exactly one). */
  acksOf(envelopeId: string): SocketAck[] {
    return this.acks.filter((a) => a.envelope_id === envelopeId);
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
