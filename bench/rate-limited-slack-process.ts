import { RateLimitedSlack } from './rate-limited-slack';

/**
 * Runs the rate-limited fake Slack in its own process, so the fake's work does not steal the
 * bot's CPU and skew the figures. Talks to the benchmark over IPC: `start` → its URL, `stats`
 * → what it accepted, rejected and delivered.
 */
interface StartMessage {
  type: 'start';
  users: Array<{ id: string; tz: string }>;
  perWindow: number;
  timeScale: number;
}

let fake: RateLimitedSlack | undefined;
process.on('message', (message: StartMessage | { type: 'stats'; every: number } | { type: 'stop' }) => {
  void (async () => {
    if (message.type === 'start') {
      await fake?.stop();
      fake = await new RateLimitedSlack(message.users, message.perWindow, message.timeScale).start();
      process.send?.({ type: 'started', url: fake.url });
    } else if (message.type === 'stats' && fake) {
      let duplicates = 0;
      for (const n of fake.delivered.values()) duplicates += Math.max(0, n - 1);
      process.send?.({
        type: 'stats',
        accepted: fake.accepted,
        rejected: fake.rejected,
        duplicates,
        delivered: [...fake.delivered.keys()],
        // Milliseconds from the first accepted post to the first post of the last window
        // (the part of the fan-out spent waiting for the limit), and to the last post.
        rateLimitedSpanMs: fake.acceptedAt.length
          ? fake.acceptedAt[Math.floor((fake.acceptedAt.length - 1) / message.every) * message.every]! -
            fake.acceptedAt[0]!
          : 0,
        // Seconds from the first accepted post to every 300th, and to the last.
        marks: fake.acceptedAt
          .filter((_, i) => i % message.every === 0 || i === fake!.acceptedAt.length - 1)
          .map((t) => Number(((t - fake!.acceptedAt[0]!) / 1000).toFixed(3))),
      });
    } else if (message.type === 'stop') {
      await fake?.stop();
      process.exit(0);
    }
  })();
});
