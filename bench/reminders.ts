/**
 * Benchmark: the reminder fan-out to 1,000 and 10,000 members against a fake Slack Web API that
 * enforces chat.postMessage's workspace-wide limit (300 a minute, the figure the rate-limit
 * reference leads us to take), next to the minimum time those limits allow.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/reminders.js [--scale 60] [--instances 1] [--sizes 1000,10000]
 *
 * Time is compressed (--scale 60: one minute lasts one second) so 10,000 DMs, 33 minutes for
 * real, take about 35 seconds; figures are printed both as measured and as real-time equivalents.
 * Uses PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a
 * throwaway database, as several bot instances would share it. --instances N runs N drains at once
 * (N bot instances). BENCH_CONCURRENCY / BENCH_BATCH override the drain's defaults;
 * BENCH_VERBOSE=1 prints when each window's first post was accepted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { createThrowawayPostgres, BENCH_ADMIN_URL } from './postgres';
import { migrateToLatest } from '../src/db/migrate';
import { communityPort } from '../src/features/community/port';
import { upsertSlackUsers } from '../src/slack/users';
import { MemberDirectory } from '../src/features/community/directory';
import { memberTopics } from '../src/features/meetings/agenda';
import { proposalsAwaitingVote } from '../src/features/norms/agenda';
import { queueDueReminders } from '../src/features/meetings/reminders';
import { AppLogger } from '../src/logger';
import { createSlackTransport, type SlackTransport } from '../src/slack/http-transport';
import { drainOutbox } from '../src/slack/outbox';

const NOW = new Date('2026-03-03T08:00:00Z'); // one hour before Tuesday 10:00 Amsterdam
const ZONES = ['Europe/Amsterdam', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland'];
const PER_MINUTE = 300;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

interface Run {
  members: number;
  /** From the first post to the first post of the last one-minute window, measured. */
  rateLimitedSpanMs: number;
  queueMs: number;
  totalMs: number;
  minimumMs: number;
  rejected: number;
  posts: number;
  duplicates: number;
  missing: number;
}

interface FakeStats {
  accepted: number;
  rejected: number;
  duplicates: number;
  delivered: string[];
  marks: number[];
  rateLimitedSpanMs: number;
}

/** Asks the fake's process something and waits for the answer of the given type. */
function ask<T>(child: ChildProcess, message: unknown, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      child.off('message', listener);
      resolve(reply as T);
    };
    child.on('message', listener);
    child.send(message as object);
  });
}

async function runOnce(child: ChildProcess, members: number, scale: number, instances: number): Promise<Run> {
  const database = await createThrowawayPostgres(BENCH_ADMIN_URL, { max: 20 });
  const transports: SlackTransport[] = [];
  const { handle } = database;
  const users = Array.from({ length: members }, (_, i) => ({
    id: `U${String(i).padStart(6, '0')}`,
    tz: ZONES[i % ZONES.length]!,
  }));
  const fake = await ask<{ url: string }>(
    child,
    { type: 'start', users, perWindow: PER_MINUTE, timeScale: scale },
    'started',
  );
  const lines: string[] = [];
  const logger = new AppLogger('info', (line) => lines.push(line));
  try {
    const db = handle.db;
    await migrateToLatest(db);
    const cop = await db
      .insertInto('cops')
      .values({ team_id: 'T0001', channel_id: 'C0COP', created_by: users[0]!.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < users.length; i += 1000) {
      await db
        .insertInto('members')
        .values(users.slice(i, i + 1000).map((u) => ({ cop_id: cop.id, user_id: u.id })))
        .execute();
    }
    await upsertSlackUsers(
      db,
      users.map((u) => ({ userId: u.id, teamId: 'T0001', isBot: false, deleted: false, tz: u.tz })),
      NOW,
    );
    await db
      .insertInto('meetings')
      .values({
        cop_id: cop.id,
        weekday: 2,
        local_time: '10:00',
        time_zone: 'Europe/Amsterdam',
        length_minutes: 60,
        location: 'https://meet.example.com/cop',
        lead_minutes: 60,
        updated_by: users[0]!.id,
        updated_at: NOW,
      })
      .execute();
    // Two open proposals, half the members have voted on one: every agenda is per member.
    for (const title of ['Review pull requests within a day', 'Demo something every meeting']) {
      const p = await db
        .insertInto('proposals')
        .values({
          cop_id: cop.id,
          kind: 'new',
          title,
          body: 'b',
          rationale: 'r',
          proposed_by: users[0]!.id,
          closes_at: new Date(NOW.getTime() + 7 * 86_400_000),
          quorum_num: 1,
          quorum_den: 2,
          approval_num: 2,
          approval_den: 3,
          channel_id: 'C0COP',
          message_ts: `1.${title.length}`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (title.startsWith('Review')) {
        const voters = users.filter((_, i) => i % 2 === 0);
        for (let i = 0; i < voters.length; i += 1000) {
          await db
            .insertInto('votes')
            .values(
              voters.slice(i, i + 1000).map((u) => ({
                proposal_id: p.id,
                user_id: u.id,
                stance: 'support' as const,
                acted_at: NOW,
                updated_at: NOW,
              })),
            )
            .execute();
        }
      }
    }

    // Each instance is its own process in production: its own client (over the bot's own HTTP
    // transport), the same database.
    transports.push(...Array.from({ length: instances }, () => createSlackTransport()));
    const clients = transports.map((t) => new WebClient('xoxb-bench', { slackApiUrl: fake.url, fetch: t.fetch }));
    const started = performance.now();
    await queueDueReminders(
      {
        db,
        community: communityPort(db),
        logger,
        providers: [proposalsAwaitingVote, memberTopics],
        refreshUsers: (teamId, now) => new MemberDirectory(db, clients[0]!, logger).refreshUsers(teamId, now),
      },
      NOW,
    );
    const queued = performance.now();
    await Promise.all(
      clients.map((client) =>
        drainOutbox(db, client, logger, () => NOW, {
          retryAfterScale: 1 / scale,
          ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
          ...(process.env.BENCH_BATCH ? { batchSize: Number(process.env.BENCH_BATCH) } : {}),
        }),
      ),
    );
    const finished = performance.now();

    const posts = members + 1; // every member's DM and the home channel's announcement
    const windowMs = 60_000 / scale;
    const stats = await ask<FakeStats>(child, { type: 'stats', every: PER_MINUTE }, 'stats');
    if (process.env.BENCH_VERBOSE) console.log(`    accepted posts at (s): ${stats.marks.join(', ')}`);
    const delivered = new Set(stats.delivered);
    return {
      members,
      rateLimitedSpanMs: stats.rateLimitedSpanMs,
      queueMs: queued - started,
      totalMs: finished - started,
      // In a sliding window of one minute, post k (0-based) can go no earlier than floor(k / 300) minutes in.
      minimumMs: Math.floor((posts - 1) / PER_MINUTE) * windowMs,
      rejected: stats.rejected,
      posts: stats.accepted,
      duplicates: stats.duplicates,
      missing: users.filter((u) => !delivered.has(u.id)).length,
    };
  } finally {
    for (const line of lines.filter((l) => /reminders for meeting|outbox:/.test(l))) {
      console.log(`    log: ${line.replace(/^\S+ /, '')}`);
    }
    await Promise.all(transports.map((t) => t.close()));
    await database.drop();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

async function main(): Promise<void> {
  const scale = Number(arg('scale', '60'));
  const instances = Number(arg('instances', '1'));
  const sizes = arg('sizes', '1000,10000')
    .split(',')
    .map((s) => Number(s));
  console.log(
    `Reminder fan-out against a fake Slack API enforcing chat.postMessage at ${PER_MINUTE} per minute workspace-wide ` +
      `(sliding one-minute window, HTTP 429 + Retry-After beyond it), ${instances} bot instance(s) on one Postgres.`,
  );
  console.log(
    `Time compressed ${scale}x: the fake's minute lasts ${seconds(60_000 / scale)}; Retry-After is sent in ` +
      `real-equivalent whole seconds and the sender's waits are scaled by 1/${scale}. Real-time figures: see the note under the table.\n`,
  );
  const child = fork(join(__dirname, 'rate-limited-slack-process.js'), [], { stdio: 'inherit' });
  const runs: Run[] = [];
  try {
    // A small run first so the JIT, Luxon's Intl formatters and the pools are warm; not reported.
    console.log('  warm-up (300 members, not reported)…');
    await runOnce(child, 300, scale, instances);
    for (const size of sizes) {
      console.log(`  ${size} members…`);
      runs.push(await runOnce(child, size, scale, instances));
    }
  } finally {
    child.send({ type: 'stop' });
  }
  console.log('');
  console.log(
    'members | queue (render+insert) | fan-out, measured | minimum allowed | over minimum | ' +
      'real-time fan-out (est.) | real-time minimum | over minimum (real time) | 429s | duplicates | missing',
  );
  let ok = true;
  for (const r of runs) {
    const over = (r.totalMs / r.minimumMs - 1) * 100;
    // Only the time spent waiting for the limit's windows stretches with the compression: from
    // the first post to the first post of the last window. Queueing (CPU and database) and the
    // last window's burst take in real time what they took here.
    const realMs = r.totalMs + r.rateLimitedSpanMs * (scale - 1);
    const realMinMs = r.minimumMs * scale;
    const realOver = (realMs / realMinMs - 1) * 100;
    if (!(realOver <= 10) || r.duplicates || r.missing) ok = false;
    console.log(
      [
        r.members.toLocaleString('en'),
        seconds(r.queueMs),
        seconds(r.totalMs),
        seconds(r.minimumMs),
        percent(over),
        clock(realMs),
        clock(realMinMs),
        percent(realOver),
        String(r.rejected),
        String(r.duplicates),
        String(r.missing),
      ].join(' | '),
    );
  }
  console.log(
    '\nThe minimum: in a sliding one-minute window of 300 posts, post k (0-based) cannot go before ' +
      'floor(k / 300) minutes; N members need N + 1 posts (their DMs and the channel announcement).' +
      '\nReal-time estimate = the measured fan-out with the span spent waiting for the limit (first post to ' +
      'the first post of the last window) stretched by the scale; queueing and the final burst are CPU and ' +
      'database work, which take in real time what they take here.',
  );
  console.log(
    `Goal: real-time fan-out within 10% of the minimum, no duplicates, none missing: ${ok ? 'met' : 'NOT met'}.`,
  );
}

const percent = (p: number) => `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
