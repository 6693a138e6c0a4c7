import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What an operator scrapes at GET /metrics (Prometheus text format). A leaf module: the code
 * where a thing happens counts it with a one-line call; gauges read their value when scraped,
 * from the sources the wiring registers with `track`.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'cop_' });

export const ackSeconds = new Histogram({
  name: 'cop_ack_seconds',
  help: 'Time from a Slack request arriving to its acknowledgement, by kind of request',
  labelNames: ['kind'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
  registers: [registry],
});

export const votesCounted = new Counter({
  name: 'cop_votes_counted_total',
  help: 'Votes written (a new or changed stance), by how they were cast',
  labelNames: ['via'] as const,
  registers: [registry],
});

export const dms = new Counter({
  name: 'cop_dms_total',
  help: 'Queued DMs handled by the outbox: sent, failed for good, expired, or put back to retry',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const rateLimited = new Counter({
  name: 'cop_slack_rate_limited_total',
  help: 'HTTP 429 answers seen from Slack',
  registers: [registry],
});

type Source = () => number | undefined | Promise<number | undefined>;
const sources = new Map<string, Set<Source>>();

/** A gauge summing the values of the sources tracked for it (one per bot instance in this process). */
function trackedGauge(name: string, help: string): Gauge {
  sources.set(name, new Set());
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      let total = 0;
      for (const read of sources.get(name) ?? []) {
        try {
          total += (await read()) ?? 0;
        } catch {
          // A source that cannot answer (the database is down) counts nothing this scrape.
        }
      }
      this.set(total);
    },
  });
}

export const afterAckQueueDepth = trackedGauge('cop_after_ack_queue_depth', 'Jobs waiting for a slot after their ack');
export const dmsPending = trackedGauge('cop_dms_pending', 'Queued DMs not sent yet');
export const dbPoolInUse = trackedGauge('cop_db_pool_in_use', 'Database connections checked out of the pool');
export const socketConnected = trackedGauge('cop_socket_connected', 'Socket Mode: 1 while a socket is open');

type TrackedName = 'cop_after_ack_queue_depth' | 'cop_dms_pending' | 'cop_db_pool_in_use' | 'cop_socket_connected';

/** Adds a source to a gauge; returns what removes it (a stopped bot). */
export function track(name: TrackedName, read: Source): () => void {
  sources.get(name)!.add(read);
  return () => sources.get(name)!.delete(read);
}

/** Counts the votes of a batch of outcomes that took (`counted` with a change). */
export function countVotes(via: 'button' | 'reaction', outcomes: ReadonlyArray<{ kind: string; changed?: boolean }>) {
  const counted = outcomes.filter((o) => o.kind === 'counted' && o.changed !== false).length;
  if (counted > 0) votesCounted.inc({ via }, counted);
}

/** Passes a vote's outcome through, counting it once it is committed. */
export async function countVote<T extends { kind: string; changed?: boolean }>(
  via: 'button' | 'reaction',
  outcome: Promise<T>,
): Promise<T> {
  const result = await outcome;
  countVotes(via, [result]);
  return result;
}

/** Counts what one drain of the outbox did. */
export function countDrain(result: { sent: number; failed: number; expired: number; retried: number }): void {
  for (const outcome of ['sent', 'failed', 'expired', 'retried'] as const) {
    if (result[outcome] > 0) dms.inc({ outcome }, result[outcome]);
  }
}

/** GET /metrics, as a receiver custom route. */
export const metricsRoute = {
  path: '/metrics',
  method: ['GET'],
  handler: (_req: IncomingMessage, res: ServerResponse) => {
    registry
      .metrics()
      .then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      })
      .catch(() => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics unavailable');
      });
  },
};
