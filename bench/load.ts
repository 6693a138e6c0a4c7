import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** One request as Slack would send it, signed ahead of time so signing costs nothing while timed. */
export interface SignedRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export function signed(secret: string, body: string, contentType: string, extra: Record<string, string> = {}) {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
      ...extra,
    },
  } satisfies SignedRequest;
}

export interface LoadResult {
  readonly requests: number;
  /** Requests never acknowledged with a 200, even after Slack's retries. */
  readonly failures: number;
  /** Deliveries not acknowledged within Slack's 3 seconds (Slack gives up on them, and retries events). */
  readonly late: number;
  /** Acks that carried a refusal in their body (a command refused as busy). */
  readonly inAck: number;
  /** Acks that carried the command's answer itself (blocks in the body): delivered with the ack. */
  readonly answeredInAck: number;
  readonly seconds: number;
  /** Acknowledgements per second. */
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
}

/** Slack waits 3 s for an ack; an event not acked by then is retried, up to 3 times. */
const SLACK_TIMEOUT_MS = 3000;
const SLACK_RETRIES = 3;

/**
 * Sends every request to `url` with `concurrency` in flight, and times each acknowledgement.
 * With `retry` (the Events API), a delivery not acked with 200 within 3 s is sent again with
 * `x-slack-retry-num`, as Slack does; slash commands are not retried.
 */
export async function drive(
  url: string,
  requests: readonly SignedRequest[],
  concurrency: number,
  retry = false,
  /** Stop sending new requests after this long (a timed burst); all of `requests` otherwise. */
  durationMs = Infinity,
): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let late = 0;
  let inAck = 0;
  let answeredInAck = 0;
  let next = 0;

  const send = (req: SignedRequest, retryNum: number) =>
    new Promise<'ok' | 'late' | 'error'>((resolve) => {
      const started = process.hrtime.bigint();
      const headers = retryNum
        ? { ...req.headers, 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : req.headers;
      const r = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            if (body.includes('"blocks"')) answeredInAck += 1;
            else if (body.length > 0) inAck += 1;
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            latencies.push(ms);
            resolve(res.statusCode !== 200 ? 'error' : ms > SLACK_TIMEOUT_MS ? 'late' : 'ok');
          });
        },
      );
      r.on('error', () => resolve('error'));
      r.end(req.body);
    });

  const deliver = async (req: SignedRequest) => {
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await send(req, attempt);
      if (outcome === 'ok') return;
      if (outcome === 'late') late += 1;
      if (!retry || attempt >= SLACK_RETRIES) {
        if (outcome === 'error') failures += 1;
        return;
      }
    }
  };

  const began = process.hrtime.bigint();
  const stopAt = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, requests.length) }, async () => {
      while (next < requests.length && Date.now() < stopAt) await deliver(requests[next++]!);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const sent = Math.min(next, requests.length);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: sent,
    failures,
    late,
    inAck,
    answeredInAck,
    seconds,
    throughput: sent / seconds,
    p50: at(0.5),
    p99: at(0.99),
  };
}

/** `drive` on a worker thread: the app under test keeps the main event loop to itself. */
export function driveInWorker(
  url: string,
  requests: readonly SignedRequest[],
  concurrency: number,
  retry = false,
  durationMs = Infinity,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), {
      workerData: { url, requests, concurrency, retry, durationMs },
    });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
