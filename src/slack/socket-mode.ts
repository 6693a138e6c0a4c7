import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AuthorizationError,
  buildReceiverRoutes,
  type App,
  type CustomRoute,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import { WebAPIPlatformError, WebClient, type WebClientOptions } from '@slack/web-api';
import { WebSocket, type RawData } from 'ws';
import type { AppLogger } from '../logger';
import { ackSeconds } from '../metrics';

export interface SocketModeTimings {
  /** How often each socket pings Slack; a ping unanswered by the next one marks the socket dead. */
  readonly pingIntervalMs: number;
  /** How long a new socket may take to say hello before it is given up. */
  readonly helloTimeoutMs: number;
  /** The first wait after a failed reconnect; doubles with each further failure, with jitter. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How long a retiring socket (or shutdown) waits for its envelopes' acks before closing. */
  readonly drainMs: number;
}

export const DEFAULT_TIMINGS: SocketModeTimings = {
  pingIntervalMs: 5_000,
  helloTimeoutMs: 10_000,
  backoffBaseMs: 250,
  backoffMaxMs: 30_000,
  drainMs: 3_000,
};

export interface SocketModeOptions {
  readonly appToken: string;
  readonly logger: AppLogger;
  /** Served over HTTP on `port` (health, readiness, metrics). */
  readonly customRoutes: CustomRoute[];
  readonly port: number;
  readonly clientOptions?: WebClientOptions;
  readonly timings?: Partial<SocketModeTimings>;
  /** Told each time the bot gains or loses its last ready socket. */
  readonly onConnectedChange?: (connected: boolean) => void;
}

// apps.connections.open answers after which trying again cannot help.
const UNRECOVERABLE = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'not_allowed_token_type',
]);

/**
 * The wait before reconnect attempt number `failures + 1`: none after a plain drop (failures 0),
 * then exponential with "equal jitter" (half fixed, half random), so many instances that lost
 * Slack together do not come back in step.
 */
export function reconnectDelay(failures: number, timings: SocketModeTimings, random = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(timings.backoffMaxMs, timings.backoffBaseMs * 2 ** (failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

interface Envelope {
  envelope_id: string;
  type: string;
  payload?: Record<string, unknown>;
  retry_attempt?: number;
  retry_reason?: string;
}

/** One WebSocket to Slack and what the receiver knows of it. */
class Link {
  ready = false;
  /** Slack asked us to move off it (`disconnect`); it still delivers until it closes. */
  retiring = false;
  /** Envelopes received on it and not acknowledged yet. */
  pending = 0;
  alive = true;
  heartbeat: NodeJS.Timeout | undefined;
  constructor(
    readonly id: number,
    readonly socket: WebSocket,
  ) {}
  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

/**
 * Bolt's receiver for Socket Mode, over `ws`. Unlike @slack/socket-mode's client (one socket, a
 * fixed 5 s wait before each reconnect, and "connected" left true after a drop without a close
 * frame), it:
 * - opens the next socket as soon as Slack sends `disconnect` (a refresh), while the old one
 *   still delivers, and closes the old one once its envelopes are acknowledged;
 * - reconnects at once after a drop, backing off (with jitter) only while attempts keep failing;
 * - pings each socket and drops one that stops answering, so `connected` tells the truth;
 * - acknowledges each envelope once, on the socket it came on.
 */
export class SocketModeLink implements Receiver {
  private app: App | undefined;
  private readonly api: WebClient;
  private readonly timings: SocketModeTimings;
  private readonly logger: AppLogger;
  private readonly links = new Set<Link>();
  private readonly server: Server;
  private opening: Promise<Link> | undefined;
  private failures = 0;
  private stopped = false;
  private wasConnected = false;
  private nextId = 1;
  private wake: (() => void) | undefined;

  constructor(private readonly options: SocketModeOptions) {
    this.logger = options.logger;
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.api = new WebClient(undefined, {
      ...options.clientOptions,
      headers: { Authorization: `Bearer ${options.appToken}` },
      // The receiver decides when to try again (see reconnectDelay).
      retryConfig: { retries: 0 },
    });
    this.server = this.routesServer(options.customRoutes);
  }

  /** True while at least one socket is open and Slack has said hello on it. */
  get connected(): boolean {
    return [...this.links].some((link) => link.ready && link.open);
  }

  /** The sockets currently open (tests and metrics). */
  get openSockets(): number {
    return [...this.links].filter((link) => link.open).length;
  }

  /** The HTTP port actually bound (PORT 0 picks one). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  init(app: App): void {
    this.app = app;
  }

  /** Serves the custom routes, then resolves once the first socket is ready. */
  async start(): Promise<void> {
    this.stopped = false;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await this.openNext();
  }

  /**
   * Takes no new envelopes, lets those received be acknowledged (up to `drainMs`), then closes
   * every socket with a close frame and stops serving HTTP.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.until(() => [...this.links].every((link) => link.pending === 0), this.timings.drainMs);
    await Promise.all([...this.links].map((link) => this.close(link, 'shutting down')));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** One connection attempt at a time; a refresh and a drop at once share it. */
  private openNext(): Promise<Link> {
    this.opening ??= this.connectWithBackoff().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connectWithBackoff(): Promise<Link> {
    for (;;) {
      if (this.stopped) throw new Error('Socket Mode receiver stopped');
      try {
        const link = await this.dial();
        this.failures = 0;
        return link;
      } catch (error) {
        if (error instanceof WebAPIPlatformError && UNRECOVERABLE.has(error.data.error)) {
          this.logger.error(`Socket Mode: Slack refused the app-level token (${error.data.error}); not retrying`);
          throw error;
        }
        this.failures += 1;
        const delay = reconnectDelay(this.failures, this.timings);
        this.logger.warn(
          `Socket Mode: connecting failed (attempt ${this.failures}); next try in ${delay} ms:`,
          error instanceof Error ? error.message : error,
        );
        await this.sleep(delay);
      }
    }
  }

  /** Asks Slack for a socket URL, connects, and resolves once Slack says hello on it. */
  private async dial(): Promise<Link> {
    const { url } = await this.api.apps.connections.open({});
    if (!url) throw new Error('apps.connections.open returned no URL');
    const link = new Link(this.nextId++, new WebSocket(url));
    this.links.add(link);
    return new Promise<Link>((resolve, reject) => {
      const helloTimer = setTimeout(() => {
        this.logger.warn(`Socket Mode: socket ${link.id} got no hello in ${this.timings.helloTimeoutMs} ms`);
        link.socket.terminate();
      }, this.timings.helloTimeoutMs);
      link.socket.on('open', () => this.watch(link));
      link.socket.on('pong', () => (link.alive = true));
      link.socket.on('ping', () => (link.alive = true));
      link.socket.on('error', (error) => this.logger.warn(`Socket Mode: socket ${link.id} error: ${error.message}`));
      link.socket.on('message', (data, isBinary) => {
        link.alive = true;
        if (isBinary) return;
        const message = parse(data);
        if (message?.type === 'hello' && !link.ready) {
          clearTimeout(helloTimer);
          this.onHello(link);
          resolve(link);
        } else if (message) {
          this.onMessage(link, message);
        }
      });
      link.socket.on('close', (code) => {
        clearTimeout(helloTimer);
        this.onClose(link, code);
        reject(new Error(`socket closed (code ${code}) before Slack said hello`));
      });
    });
  }

  /** Pings the socket; one that has not answered since the last ping is dead (no close frame came). */
  private watch(link: Link): void {
    link.heartbeat = setInterval(() => {
      if (!link.alive) {
        this.logger.warn(`Socket Mode: socket ${link.id} stopped answering pings; dropping it`);
        link.socket.terminate();
        return;
      }
      link.alive = false;
      link.socket.ping();
    }, this.timings.pingIntervalMs);
    link.heartbeat.unref();
  }

  private onHello(link: Link): void {
    link.ready = true;
    this.logger.info(`Socket Mode: socket ${link.id} ready (${this.openSockets} open)`);
    for (const other of this.links) if (other.retiring) this.retireWhenIdle(other);
    this.reportConnected();
  }

  private onMessage(link: Link, message: Record<string, unknown>): void {
    if (message.type === 'disconnect') {
      // refresh_requested or warning: Slack will close this socket soon. Open the next one now,
      // so envelopes find a socket throughout; this one keeps delivering until then.
      this.logger.info(`Socket Mode: Slack asked socket ${link.id} to reconnect (${String(message.reason)})`);
      link.retiring = true;
      if (this.stopped) return;
      const replacement = [...this.links].find((other) => other.ready && other.open && !other.retiring);
      if (replacement) this.retireWhenIdle(link);
      else void this.openNext().catch(() => undefined);
      return;
    }
    if (typeof message.envelope_id === 'string') void this.onEnvelope(link, message as unknown as Envelope);
  }

  private async onEnvelope(link: Link, envelope: Envelope): Promise<void> {
    // Once stopping, envelopes go unacknowledged: Slack delivers them again elsewhere.
    if (this.stopped || !this.app || !envelope.payload) return;
    link.pending += 1;
    const arrived = performance.now();
    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      link.pending -= 1;
      const payload = typeof response === 'string' ? { text: response } : { ...(response as object | undefined) };
      if (link.open) {
        link.socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload }));
        ackSeconds.observe({ kind: ackKind(envelope.type) }, (performance.now() - arrived) / 1000);
      } else {
        this.logger.warn(`Socket Mode: socket ${link.id} closed before envelope ${envelope.envelope_id} was acked`);
      }
      if (link.retiring) this.retireWhenIdle(link);
    };
    const event: ReceiverEvent = {
      body: envelope.payload,
      ack,
      retryNum: envelope.retry_attempt,
      retryReason: envelope.retry_reason,
      customProperties: {},
    };
    try {
      await this.app.processEvent(event);
    } catch (error) {
      this.logger.error(`Socket Mode: envelope ${envelope.envelope_id} (${envelope.type}) failed`, error);
      // Without an installation Slack should stop retrying; other failures stay unacked, so it redelivers.
      if (error instanceof AuthorizationError) await ack();
    } finally {
      if (!acked) {
        acked = true;
        link.pending -= 1;
        if (link.retiring) this.retireWhenIdle(link);
      }
    }
  }

  /** Closes a socket Slack is moving us off once a replacement is ready and its acks are sent. */
  private retireWhenIdle(link: Link): void {
    const replaced = [...this.links].some((other) => other !== link && other.ready && other.open && !other.retiring);
    if (!replaced) return;
    if (link.pending === 0) void this.close(link, 'replaced');
    else setTimeout(() => void this.close(link, 'replaced'), this.timings.drainMs).unref();
  }

  private onClose(link: Link, code: number): void {
    if (!this.links.delete(link)) return;
    clearInterval(link.heartbeat);
    if (link.ready) this.logger.info(`Socket Mode: socket ${link.id} closed (code ${code})`);
    this.reportConnected();
    if (this.stopped || this.opening) return;
    const current = [...this.links].some((other) => other.ready && other.open && !other.retiring);
    if (!current) void this.openNext().catch(() => undefined);
  }

  /** Closes with a close frame; a peer that does not answer it within 1 s is cut off. */
  private async close(link: Link, why: string): Promise<void> {
    if (link.socket.readyState === WebSocket.CLOSED) return;
    this.logger.debug(`Socket Mode: closing socket ${link.id} (${why})`);
    const closed = new Promise<void>((resolve) => link.socket.once('close', () => resolve()));
    link.socket.close(1000);
    const timer = setTimeout(() => link.socket.terminate(), 1_000);
    await closed;
    clearTimeout(timer);
  }

  private reportConnected(): void {
    const connected = this.connected;
    if (connected === this.wasConnected) return;
    this.wasConnected = connected;
    if (!connected) this.logger.warn('Socket Mode: no socket open; reconnecting');
    this.options.onConnectedChange?.(connected);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async until(condition: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private routesServer(customRoutes: CustomRoute[]): Server {
    const routes = buildReceiverRoutes(customRoutes);
    return createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const handler = routes[path]?.[(req.method ?? 'GET').toUpperCase()];
      if (handler) return handler(Object.assign(req, { params: {} }), res);
      res.writeHead(404).end();
    });
  }
}

function parse(data: RawData): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(String(data));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The envelope's kind as the HTTP guard names it, so `cop_ack_seconds` reads the same in both modes. */
const ACK_KINDS = new Map([
  ['slash_commands', 'command'],
  ['interactive', 'interaction'],
  ['events_api', 'event'],
]);
function ackKind(type: string): string {
  return ACK_KINDS.get(type) ?? type;
}
