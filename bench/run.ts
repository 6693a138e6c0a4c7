/**
 * npm run bench [-- --concurrency 50 --requests 2000 --db postgres|embedded|both
 *                   --duplicates 0.1 --strict]
 *
 * Drives the running bot (createApp, HTTP mode, the real receiver as in production: commands
 * acked before their work, reaction votes once written) with signed `/cop norms` requests and reaction-vote events, on Postgres (a
 * throwaway database it creates and drops) and on the embedded server, beside a bare Bolt app acking the
 * same requests in the same run (before and after the bot's, averaged). Prints throughput and
 * p50/p99 ack latency, the vote tallies it expected and found, and the bot's idle resident memory
 * in a fresh process, each beside its goal with PASS or MISS. The fake Slack Web API and the load
 * generator run on threads of their own, so the bot's event loop does only the bot's work.
 * `npm run bench` (bench/all.ts) then runs the reminder fan-out bench (bench/reminders.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openEmbedded, type DatabaseHandle } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { AppLogger } from '../src/logger';
import { BENCH_ADMIN_URL, createThrowawayPostgres } from './postgres';
import { BenchSlackThread as BenchSlack, BOT_USER_ID, TEAM_ID } from './fake-slack';
import { driveInWorker as drive, signed, type LoadResult, type SignedRequest } from './load';
import { normsRequests as sharedNormsRequests } from './norms-requests';
import { seed, tallyOf, type Seeded, type Tally } from './seed';

const SECRET = 'bench-signing-secret';
const GOAL_NORMS_RATIO = 0.5;
const GOAL_VOTES_PER_SECOND = 1000;
const GOAL_RSS_MB = 150;

type Kind = 'postgres' | 'embedded';

interface Options {
  concurrency: number;
  requests: number;
  db: Kind[];
  duplicates: number;
  strict: boolean;
  adminUrl: string;
}

function parseOptions(argv: string[]): Options {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const [key, inline] = argv[i]!.replace(/^--/, '').split('=', 2) as [string, string | undefined];
    if (key === 'strict') raw.set(key, 'true');
    else raw.set(key, inline ?? argv[++i] ?? '');
  }
  const int = (key: string, fallback: number) => {
    const value = Number(raw.get(key) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key} must be a positive whole number`);
    return value;
  };
  const db = raw.get('db') ?? 'both';
  if (!['postgres', 'embedded', 'both'].includes(db)) throw new Error('--db must be postgres, embedded or both');
  const duplicates = Number(raw.get('duplicates') ?? 0.1);
  if (!(duplicates >= 0 && duplicates <= 1)) throw new Error('--duplicates must be between 0 and 1');
  return {
    concurrency: int('concurrency', 50),
    requests: int('requests', 2000),
    db: db === 'both' ? ['postgres', 'embedded'] : [db as Kind],
    duplicates,
    strict: raw.has('strict'),
    adminUrl: BENCH_ADMIN_URL,
  };
}

// ---- Requests -------------------------------------------------------------------------------

function normsRequests(fake: BenchSlack, channelId: string, users: string[], n: number, tag: string) {
  return sharedNormsRequests((id) => fake.responseUrl(id), channelId, users, n, tag);
}

/** A tiny seeded PRNG, so a run's votes are reproducible. */
function prng(seedValue: number) {
  let state = seedValue >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SUPPORT = ['+1', 'thumbsup', '+1::skin-tone-3', 'thumbsup::skin-tone-5'];
const OBJECT = ['-1', 'thumbsdown', '-1::skin-tone-2'];

/** One reaction per voter, +1 or -1 at random; a share re-delivered with the same event_id as Slack retries. */
function voteRequests(seeded: Seeded, duplicates: number, tag: string): { requests: SignedRequest[]; expected: Tally } {
  const random = prng(42);
  const expected: Tally = { supporters: 0, objectors: 0 };
  const now = Math.floor(Date.now() / 1000);
  const deliveries: Array<{ body: string; retry: boolean }> = [];
  seeded.voters.forEach((user, i) => {
    const supports = random() < 0.6;
    if (supports) expected.supporters += 1;
    else expected.objectors += 1;
    const names = supports ? SUPPORT : OBJECT;
    const body = JSON.stringify({
      token: 'legacy',
      team_id: TEAM_ID,
      api_app_id: 'A0BENCH',
      event: {
        type: 'reaction_added',
        user,
        item: { type: 'message', channel: seeded.channelId, ts: seeded.messageTs },
        reaction: names[Math.floor(random() * names.length)]!,
        item_user: BOT_USER_ID,
        event_ts: `${now}.${String(i).padStart(6, '0')}`,
      },
      type: 'event_callback',
      event_id: `Ev${tag}${i}`,
      event_time: now,
      authed_users: [BOT_USER_ID],
    });
    deliveries.push({ body, retry: false });
    if (random() < duplicates) deliveries.push({ body, retry: true });
  });
  // Shuffle, so duplicates and stances interleave as they would in a burst.
  for (let i = deliveries.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  const requests = deliveries.map((d) =>
    signed(
      SECRET,
      d.body,
      'application/json',
      d.retry ? { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } : {},
    ),
  );
  return { requests, expected };
}

// ---- Apps under test ------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Bolt with nothing behind it: one command listener that acks, one event listener that returns. */
async function startBareBolt(fake: BenchSlack) {
  const port = await freePort();
  const logger = new AppLogger('warn');
  const receiver = new HTTPReceiver({
    signingSecret: SECRET,
    endpoints: '/slack/events',
    logger,
    processBeforeResponse: false,
  });
  const app = new App({
    token: 'xoxb-bench',
    receiver,
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: { slackApiUrl: fake.url },
  });
  app.command('/cop', async ({ ack }) => {
    await ack();
  });
  app.event('reaction_added', async () => undefined);
  await app.start(port);
  return { url: `http://127.0.0.1:${port}/slack/events`, stop: () => app.stop() };
}

async function startBot(fake: BenchSlack, database: DatabaseHandle) {
  const port = await freePort();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.url,
    PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  const bot = createApp({ config, database, processBeforeResponse: false });
  await bot.start();
  return { url: `http://127.0.0.1:${port}/slack/events`, stop: () => bot.stop() };
}

interface BenchDatabase {
  handle: DatabaseHandle;
  /** How a fresh bot process reaches the same database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function openBenchDatabase(kind: Kind, adminUrl: string): Promise<BenchDatabase> {
  if (kind === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'cop-bench-'));
    const handle = await openEmbedded(dir);
    return {
      handle,
      env: { COP_DATA_DIR: mkdtempSync(join(tmpdir(), 'cop-bench-idle-')) },
      drop: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  // The pool size production uses (openDatabase's default).
  const { handle, url, drop } = await createThrowawayPostgres(adminUrl);
  return { handle, env: { DATABASE_URL: url }, drop };
}

// ---- Measuring ------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `count()` reaches `target` or stops moving; the seconds it took from `since`. */
async function waitFor(count: () => number | Promise<number>, target: number, since: bigint, quietMs = 4000) {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const now = await count();
    if (now >= target) return { reached: true, value: now, seconds: Number(process.hrtime.bigint() - since) / 1e9 };
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > quietMs) {
      return { reached: false, value: now, seconds: Number(process.hrtime.bigint() - since) / 1e9 };
    }
    await sleep(25);
  }
}

/** Resident memory of a fresh `node dist/src/main.js`, idle after start. */
async function idleRssMb(fake: BenchSlack, env: Record<string, string>): Promise<number | undefined> {
  const main = resolve(__dirname, '../src/main.js');
  if (!existsSync(main)) return undefined;
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    cwd: tmpdir(),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await sleep(100);
    }
    await sleep(3000); // idle: startup garbage collected, timers settled
    return rssOf(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
  }
}

function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined; // not Linux: no /proc
  }
}

// ---- The run --------------------------------------------------------------------------------

/**
 * The bare Bolt app on the same requests, measured right before and right after each bot run: a
 * busy machine's speed drifts, so the bot is compared with the mean of the two.
 */
async function measureBare(fake: BenchSlack, opts: Options, n: number) {
  const bare = await startBareBolt(fake);
  try {
    const users = ['UB000001'];
    await drive(bare.url, normsRequests(fake, 'C0BENCH', users, Math.min(200, n), 'bare-warm'), opts.concurrency);
    const norms = await drive(bare.url, normsRequests(fake, 'C0BENCH', users, n, 'bare'), opts.concurrency);
    const seeded: Seeded = {
      copId: 0,
      proposalId: 0,
      channelId: 'C0BENCH',
      messageTs: '1800000000.000001',
      voters: Array.from({ length: n }, (_, i) => `UB${String(i + 1).padStart(6, '0')}`),
      allMembers: [],
    };
    const votes = await drive(bare.url, voteRequests(seeded, opts.duplicates, 'bare').requests, opts.concurrency, true);
    return { norms, votes };
  } finally {
    await bare.stop();
  }
}

type BareFigures = Awaited<ReturnType<typeof measureBare>>;

/** The mean of the bare runs before and after the bot's, as one result. */
function meanOf(a: LoadResult, b: LoadResult): LoadResult {
  const mid = (x: number, y: number) => (x + y) / 2;
  return {
    requests: a.requests,
    failures: a.failures + b.failures,
    late: a.late + b.late,
    inAck: a.inAck + b.inAck,
    answeredInAck: a.answeredInAck + b.answeredInAck,
    seconds: mid(a.seconds, b.seconds),
    throughput: mid(a.throughput, b.throughput),
    p50: mid(a.p50, b.p50),
    p99: mid(a.p99, b.p99),
  };
}

interface DbFigures {
  kind: Kind;
  bare: { norms: LoadResult; votes: LoadResult };
  bareRuns: [BareFigures, BareFigures];
  norms: LoadResult;
  normsDone: { reached: boolean; value: number; seconds: number };
  votes: LoadResult;
  voteEvents: number;
  stored: { reached: boolean; seconds: number };
  expected: Tally;
  found: Tally;
  /** Idle RSS of a fresh process (Postgres only: bench/embedded.ts measures the embedded bot with its server). */
  rssMb: { first: number | undefined; restarted: number | undefined };
}

async function benchDatabase(kind: Kind, fake: BenchSlack, opts: Options): Promise<DbFigures> {
  const n = opts.requests;
  const bareBefore = await measureBare(fake, opts, n);
  const database = await openBenchDatabase(kind, opts.adminUrl);
  try {
    await migrateToLatest(database.handle.db);
    const seeded = await seed(database.handle.db, TEAM_ID, n);
    const bot = await startBot(fake, database.handle);
    let norms: LoadResult;
    let normsDone: DbFigures['normsDone'];
    let votes: LoadResult;
    let stored: DbFigures['stored'];
    let found: Tally;
    const { requests: voteReqs, expected } = voteRequests(seeded, opts.duplicates, kind);
    try {
      // Warm up (JIT, pool connections), then measure.
      const warm = Math.min(200, n);
      const before = fake.count('response_url');
      const warmed = await drive(
        bot.url,
        normsRequests(fake, seeded.channelId, seeded.allMembers, warm, `${kind}-warm`),
        opts.concurrency,
      );
      await waitFor(
        () => fake.count('response_url') - before,
        warm - warmed.inAck - warmed.answeredInAck,
        process.hrtime.bigint(),
      );

      const start = fake.count('response_url');
      const began = process.hrtime.bigint();
      norms = await drive(bot.url, normsRequests(fake, seeded.channelId, seeded.allMembers, n, kind), opts.concurrency);
      // A reply ready in time came in its ack; the others (the norms list at the response_url)
      // follow. A command refused as busy was told so in its ack, and gets no reply.
      const later = n - norms.inAck - norms.answeredInAck;
      normsDone = await waitFor(() => fake.count('response_url') - start, later, began);

      const votesBegan = process.hrtime.bigint();
      votes = await drive(bot.url, voteReqs, opts.concurrency, true);
      const total = expected.supporters + expected.objectors;
      const settled = await waitFor(
        async () => {
          const t = await tallyOf(database.handle.db, seeded.proposalId);
          return t.supporters + t.objectors;
        },
        total,
        votesBegan,
      );
      stored = { reached: settled.reached, seconds: settled.seconds };
      found = await tallyOf(database.handle.db, seeded.proposalId);
    } finally {
      await bot.stop();
    }
    const bareAfter = await measureBare(fake, opts, n);
    const bare = { norms: meanOf(bareBefore.norms, bareAfter.norms), votes: meanOf(bareBefore.votes, bareAfter.votes) };
    const first = kind === 'postgres' ? await idleRssMb(fake, database.env) : undefined;
    const restarted = first;
    return {
      kind,
      bare,
      bareRuns: [bareBefore, bareAfter],
      norms,
      normsDone,
      votes,
      voteEvents: voteReqs.length,
      stored,
      expected,
      found,
      rssMb: { first, restarted },
    };
  } finally {
    await database.drop();
    if (database.env.COP_DATA_DIR) rmSync(database.env.COP_DATA_DIR, { recursive: true, force: true });
  }
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const row = (label: string, r: LoadResult, note = '') =>
  `  ${label.padEnd(40)}${f0(r.throughput).padStart(9)}${f1(r.p50).padStart(9)}${f1(r.p99).padStart(9)}${String(r.late).padStart(7)}${String(r.failures).padStart(7)}  ${note}`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const fake = await new BenchSlack().start();
  const goals: boolean[] = [];
  console.log(
    `CoP bot benchmark: ${opts.requests} requests per scenario, concurrency ${opts.concurrency}, ` +
      `${Math.round(opts.duplicates * 100)}% of vote events re-delivered; node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    `  ${''.padEnd(40)}${'acks/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'>3s'.padStart(7)}${'failed'.padStart(7)}`,
  );

  const results: DbFigures[] = [];
  for (const kind of opts.db) {
    let r: DbFigures;
    try {
      r = await benchDatabase(kind, fake, opts);
    } catch (error) {
      console.log(`  ${kind}: could not run: ${error instanceof Error ? error.message : String(error)}`);
      goals.push(false);
      continue;
    }
    results.push(r);
    console.log(`  on ${r.kind}, ${f0(r.norms.requests)} requests and as many voters:`);
    const [b1, b2] = r.bareRuns;
    const span = (a: LoadResult, b: LoadResult) => `mean of ${f0(a.throughput)} before and ${f0(b.throughput)} after`;
    console.log(row('    bare Bolt: /cop, ack only', r.bare.norms, span(b1.norms, b2.norms)));
    // Goodput: norms lists delivered per second, until the last one arrived (not acks per second).
    const answered = r.norms.requests - r.norms.inAck;
    const goodput = answered / r.normsDone.seconds;
    const ratio = goodput / r.bare.norms.throughput;
    const normsOk = ratio >= GOAL_NORMS_RATIO && r.norms.failures === 0 && r.normsDone.reached;
    goals.push(normsOk);
    const replies = r.normsDone.reached
      ? `${f0(answered)} answered in ${f1(r.normsDone.seconds)} s = ${f0(goodput)} answers/s, ` +
        `${f0(ratio * 100)}% of bare acks/s (goal >= ${GOAL_NORMS_RATIO * 100}%) ${verdict(normsOk)}`
      : `only ${r.normsDone.value} of ${answered} accepted commands answered ${verdict(false)}`;
    const busy = r.norms.inAck ? `; ${f0(r.norms.inAck)} told "busy" in the ack` : '';
    console.log(row('    CoP bot: /cop norms', r.norms, `${replies}${busy}`));
    console.log(row(`    bare Bolt: ${r.voteEvents} reaction events`, r.bare.votes, span(b1.votes, b2.votes)));
    const total = r.expected.supporters + r.expected.objectors;
    const perSecond = total / r.stored.seconds;
    const exact = r.found.supporters === r.expected.supporters && r.found.objectors === r.expected.objectors;
    const votesOk = exact && r.stored.reached && perSecond >= GOAL_VOTES_PER_SECOND && r.votes.failures === 0;
    goals.push(votesOk);
    const storedNote = r.stored.reached
      ? `all ${f0(total)} votes stored in ${f1(r.stored.seconds)} s = ${f0(perSecond)} votes/s`
      : 'votes stopped arriving before the tally was complete';
    console.log(
      row(
        `    CoP bot: ${r.voteEvents} reaction votes`,
        r.votes,
        `${storedNote} (goal >= ${f0(GOAL_VOTES_PER_SECOND)}/s, exact) ${verdict(votesOk)}`,
      ),
    );
    const found = r.found.supporters + r.found.objectors;
    const hint = found === 0 ? ' (no votes stored: is the norms feature in this build?)' : '';
    console.log(
      `  ${''.padEnd(40)}tally expected ${r.expected.supporters} support / ${r.expected.objectors} object; ` +
        `found ${r.found.supporters} / ${r.found.objectors}: ${exact ? 'exact' : 'NOT exact'}${hint}`,
    );
  }

  console.log('\nIdle resident memory of a fresh bot process (node only; the database server not counted):');
  const mb = (v: number | undefined) => (v === undefined ? 'not measured (needs dist/ and /proc)' : `${f0(v)} MB`);
  for (const r of results) {
    if (r.kind === 'postgres') {
      const v = r.rssMb.restarted;
      const ok = v !== undefined && v < GOAL_RSS_MB;
      if (v !== undefined) goals.push(ok);
      console.log(`  postgres  ${mb(v)} (goal < ${GOAL_RSS_MB} MB) ${v === undefined ? '' : verdict(ok)}`);
    } else {
      console.log(`  embedded  see the process bench below (the bot and its PostgreSQL processes, PSS)`);
    }
  }

  const missed = goals.filter((ok) => !ok).length;
  console.log(
    `\nGoals: ${goals.length - missed} of ${goals.length} met. Load average at the end ${loadavg()[0]!.toFixed(1)} ` +
      `on ${cpus().length} CPUs: throughput on a shared machine swings by 2x from run to run; compare ratios, and repeat.`,
  );
  await fake.stop();
  process.exit(opts.strict && goals.includes(false) ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
