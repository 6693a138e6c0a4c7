import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Feature } from '../features/types';
import type { AppLogger } from '../logger';
import { countDrain } from '../metrics';
import { drainOutbox } from '../slack/outbox';

/**
 * Sends the queued DMs that are due: each tick, and at once when a feature asks (a welcome).
 * The drain runs apart from the scheduler's tick, so a long fan-out never holds up the other
 * jobs. One drain at a time per instance (the database keeps instances from double-sending); a
 * call during a drain makes it look once more at the end, for what was queued meanwhile.
 */
export class DueDms {
  private draining: Promise<void> | undefined;
  private again = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly client: WebClient,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
  ) {}

  send(): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    if (this.draining) this.again = true;
    this.draining ??= this.drain()
      .catch((error: unknown) => this.logger.error('sending queued DMs failed', error))
      .finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** Resolves once the drain in progress (if any) has ended. */
  async settled(): Promise<void> {
    await this.draining;
  }

  /** Shutdown: DMs being sent finish; the rest of a fan-out stays queued for the next start (or instance). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.draining;
  }

  /** The outbox as a feature: its one job starts the drain and returns at once. */
  feature(): Feature {
    return { name: 'outbox', jobs: [{ name: 'send-dms', run: async () => void this.send() }] };
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      countDrain(
        await drainOutbox(this.db, this.client, this.logger, () => this.clock.now(), { signal: this.stopping.signal }),
      );
    } while (this.again && !this.stopping.signal.aborted);
  }
}
