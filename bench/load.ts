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
  readonly failures: number;
  readonly seconds: number;
  /** Acknowledgements per second. */
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
}

/** Sends every request to `url` with `concurrency` in flight, and times each acknowledgement. */
export async function drive(url: string, requests: readonly SignedRequest[], concurrency: number): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;

  const send = (req: SignedRequest) =>
    new Promise<number>((resolve) => {
      const started = process.hrtime.bigint();
      const r = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: req.headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            resolve(res.statusCode ?? 0);
          });
        },
      );
      r.on('error', () => resolve(0));
      r.end(req.body);
    });

  const began = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, requests.length) }, async () => {
      while (next < requests.length) {
        const req = requests[next++]!;
        if ((await send(req)) !== 200) failures += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: requests.length,
    failures,
    seconds,
    throughput: requests.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
  };
}

/** `drive` on a worker thread: the app under test keeps the main event loop to itself. */
export function driveInWorker(
  url: string,
  requests: readonly SignedRequest[],
  concurrency: number,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: { url, requests, concurrency } });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
