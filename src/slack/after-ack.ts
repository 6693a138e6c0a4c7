/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

export interface AfterAckOptions {
  /** Jobs that may run at once. */
  readonly concurrency: number;
  /**
   * How long one job may hold its slot. A job slowed by Slack (rate limits, a slow response URL)
   * keeps running past it, but no longer keeps others waiting.
   */
  readonly leaseMs: number;
  /**
   * How many jobs may wait for a slot. Beyond it the queue is `full`: new work is refused at the
   * door (the user is told the bot is busy), so a burst cannot grow the bot's memory without end.
   */
  readonly maxWaiting: number;
}

/**
 * The work a request starts after its ack (the database reads and the reply of `/cop`, a
 * button's effect), a few jobs at a time, the rest waiting in arrival order. The bot's one event
 * loop parses, verifies and acknowledges requests, and runs that work: under a burst, with every
 * job let loose at once, acks waited behind the work (Slack wants each within 3 seconds) and the
 * database pool's queue timed jobs out. A few at a time, the work finishes as soon and the acks
 * keep up.
 */
export class AfterAckQueue {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: AfterAckOptions) {}

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.waiting.length;
  }

  /**
   * True when new work should be refused. Work already admitted is never dropped: a job that
   * acquires while full (a modal's submission, whose ack may only carry field errors) still waits.
   */
  get full(): boolean {
    return this.waiting.length >= this.options.maxWaiting;
  }

  /** Resolves once a slot is this caller's; the slot returns on release or when the lease ends. */
  async acquire(): Promise<Release> {
    if (this.active < this.options.concurrency) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    // The slot passes straight from a releasing job to the next waiting one, so `active` counts it already.
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(lease);
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
    const lease = setTimeout(release, this.options.leaseMs);
    lease.unref();
    return release;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await job();
    } finally {
      release();
    }
  }
}
