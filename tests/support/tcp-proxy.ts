import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy the test can cut and restore: between the bot and PostgreSQL it plays a
 * database outage (restart, failover, connections killed). Cut, every open connection is reset
 * and new ones are refused at once; restored, connections pass again.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  private up = true;
  private stalled = false;
  private readonly held: Socket[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The outage begins: connections reset, new ones refused. */
  cut(): void {
    this.up = false;
    for (const client of this.held.splice(0)) client.resetAndDestroy();
    for (const socket of this.open) socket.resetAndDestroy();
    this.open.clear();
  }

  /**
   * The database stops answering without closing anything (a network partition): bytes are no
   * longer passed either way, and new connections are accepted but never reach it.
   */
  stall(): void {
    this.stalled = true;
    for (const socket of this.open) socket.pause();
  }

  /** The database is back (after a cut or a stall). */
  restore(): void {
    this.up = true;
    this.stalled = false;
    for (const socket of this.open) socket.resume();
    for (const client of this.held.splice(0)) if (!client.destroyed) this.pipe(client);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private pipe(client: Socket): void {
    if (!this.up) {
      client.resetAndDestroy();
      return;
    }
    if (this.stalled) {
      this.held.push(client);
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.open.add(client).add(upstream);
    const drop = () => {
      this.open.delete(client);
      this.open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  }
}
