import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock';
import type { Job } from '../features/types';
import type { AppLogger } from '../logger';

/**
 * Runs every job once a minute. Jobs decide from the database what is due, so a missed tick,
 * a restart or a second instance never skips or repeats work.
 */
export class Scheduler {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  start(expression = '* * * * *'): void {
    this.task = cron.schedule(expression, () => void this.tick(), { noOverlap: true, name: 'cop-tick' });
  }

  /** Runs each job once, one after another; a failing job is logged and does not stop the rest. */
  async tick(now: Date = this.clock.now()): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      for (const job of this.jobs) {
        try {
          await job.run(now);
        } catch (error) {
          this.logger.error(`job ${job.name} failed`, error);
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops scheduling and waits for a tick in progress to finish. */
  async stop(): Promise<void> {
    await this.task?.stop();
    await this.running;
  }
}
