import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Feature } from '../features/types';
import type { AppLogger } from '../logger';
import { countDrain } from '../metrics';
import { drainOutbox } from '../slack/outbox';

/**
 * Sends the queued DMs that are due: each tick, and at once when a feature asks (a welcome).
 * One drain at a time per instance; the database keeps several instances from double-sending.
 */
export class DueDms {
  private draining: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly client: WebClient,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
  ) {}

  send(): Promise<void> {
    this.draining ??= drainOutbox(this.db, this.client, this.logger, () => this.clock.now())
      .then(countDrain)
      .catch((error: unknown) => this.logger.error('sending queued DMs failed', error))
      .finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** The outbox as a feature: its one job sends what is due. */
  feature(): Feature {
    return { name: 'outbox', jobs: [{ name: 'send-dms', run: () => this.send() }] };
  }
}
