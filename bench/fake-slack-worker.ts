import { parentPort, workerData } from 'node:worker_threads';
import { BenchSlack } from './fake-slack';

// The fake Slack Web API on its own thread (see BenchSlackThread): it answers at once and
// counts response_url posts in memory the main thread reads.
const { counter } = workerData as { counter: Int32Array };
void new BenchSlack(counter).start().then((slack) => parentPort!.postMessage(slack.url));
