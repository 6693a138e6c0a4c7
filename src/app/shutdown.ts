import type { App } from '@slack/bolt';
import type { SlackTransport } from '../slack/http-transport';
import type { DueDms } from './due-dms';
import type { SlackConnection } from './receiver';
import type { Scheduler } from './scheduler';

const SOCKET_CLOSE_MS = 2_000;
const IN_FLIGHT_MS = 8_000;

/** Counts listeners in progress, so shutdown can let them finish. */
export class InFlight {
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bolt middleware that counts each request while its listeners run. */
  attach(app: App): void {
    app.use(async ({ next }) => {
      this.count += 1;
      try {
        await next();
      } finally {
        this.count -= 1;
      }
    });
  }
}

export interface Stoppable {
  readonly scheduler: Scheduler;
  readonly dueDms: DueDms;
  readonly app: App;
  readonly connection: SlackConnection;
  readonly inFlight: InFlight;
  readonly transport: SlackTransport;
}

/**
 * Stops taking work (scheduler, then requests), lets what is in flight finish (within bounds, so
 * a stuck listener cannot hold a deploy), then closes the connections to Slack. Leaves the
 * database open: its owner closes it.
 */
export async function stopApp({ scheduler, dueDms, app, connection, inFlight, transport }: Stoppable): Promise<void> {
  await scheduler.stop();
  // DMs being sent finish; the rest of a fan-out stays queued.
  await dueDms.stop();
  await app.stop();
  // Socket Mode's receiver closes its sockets itself; this bounds the wait should one linger.
  await until(() => !connection.socketOpen, SOCKET_CLOSE_MS, 20);
  await until(() => inFlight.size === 0, IN_FLIGHT_MS, 50);
  await transport.close();
}

async function until(done: () => boolean, withinMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, everyMs));
}
