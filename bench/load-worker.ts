import { parentPort, workerData } from 'node:worker_threads';
import { drive, type SignedRequest } from './load';

// The load generator runs on its own thread, so sending requests does not steal the event
// loop of the app being measured (which runs on the main thread).
const { url, requests, concurrency, retry, durationMs } = workerData as {
  url: string;
  requests: SignedRequest[];
  concurrency: number;
  retry: boolean;
  durationMs: number;
};
void drive(url, requests, concurrency, retry, durationMs).then((result) => parentPort!.postMessage(result));
