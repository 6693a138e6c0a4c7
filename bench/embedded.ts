/**
 * node dist/bench/embedded.js (run by `npm run bench`): the bot as operators run it, in processes
 * of its own, each figure beside its goal.
 *
 * - The embedded PostgreSQL server (no DATABASE_URL): first start and restart to /healthz, and the
 *   idle memory of the bot plus every process it started (sum of PSS, from /proc).
 * - `npm start` on a fresh COP_DATA_DIR inside a 256 MB memory cgroup: ready, and still up,
 *   on the first start and on a restart (needs root on Linux; said so otherwise).
 * - A 15 s burst of `/cop norms` at 20 connections, on Postgres and on the embedded server: the
 *   bot's peak RSS, every accepted command answered, and goodput (norms lists delivered per
 *   second until the last arrived) against a bare Bolt app's acks per second in the same run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { openPostgres } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { AppLogger } from '../src/logger';
import { BenchSlackThread } from './fake-slack';
import { driveInWorker, type LoadResult } from './load';
import { BENCH_SECRET, normsRequests } from './norms-requests';
import { createThrowawayPostgres } from './postgres';
import { freePort, memoryCgroup, processTree, pssMb, sleep, startProcess, statusMb, type Started } from './processes';
import { seed, type Seeded } from './seed';
import { TEAM_ID } from './fake-slack';

const GOAL = { firstStart: 5, restart: 2, idlePss: 160, cgroupMb: 256, peakRss: 300, goodput: 0.5 };
const BURST_MS = 15_000;
const CONNECTIONS = 20;
const REPO = resolve(__dirname, '../..');
const MAIN = join(REPO, 'dist/src/main.js');

const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(1));
const f0 = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const goals: boolean[] = [];
const judge = (ok: boolean) => {
  goals.push(ok);
  return verdict(ok);
};

function botEnv(fake: BenchSlackThread, extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: BENCH_SECRET,
    SLACK_API_URL: fake.url,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

const startBot = (env: Record<string, string>) => startProcess(process.execPath, [MAIN], { env, cwd: tmpdir() });

/** Idle: startup garbage collected and timers settled, then the PSS of the bot and its children. */
async function idlePss(bot: Started): Promise<{ mb: number | undefined; processes: number }> {
  await sleep(3_000);
  const tree = processTree(bot.child.pid!);
  return { mb: pssMb(tree), processes: tree.length };
}

async function embeddedStarts(fake: BenchSlackThread, dataDir: string) {
  const env = botEnv(fake, { COP_DATA_DIR: dataDir });
  const first = await startBot(env);
  const firstPss = await idlePss(first);
  await first.stop();
  const restarted = await startBot(env);
  const restartPss = await idlePss(restarted);
  return { first, firstPss, restarted, restartPss };
}

/** The embedded server's own connection, as README's pg_dump line finds it. */
function embeddedUrl(dataDir: string): string {
  const password = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
  const port = readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')
    .split('\n')[3]!
    .trim();
  return `postgres://cop:${encodeURIComponent(password)}@127.0.0.1:${port}/cop`;
}

async function seedAt(url: string, migrate: boolean): Promise<Seeded> {
  const handle = openPostgres(url, { max: 2 });
  try {
    if (migrate) await migrateToLatest(handle.db);
    return await seed(handle.db, TEAM_ID, 50);
  } finally {
    await handle.close();
  }
}

interface Burst {
  acks: LoadResult;
  accepted: number;
  answered: number;
  seconds: number;
  peakMb: number | undefined;
}

async function burst(url: string, fake: BenchSlackThread, seeded: Seeded, tag: string, pid?: number): Promise<Burst> {
  const requests = normsRequests((id) => fake.responseUrl(id), seeded.channelId, seeded.allMembers, 60_000, tag);
  const before = fake.count('response_url');
  const began = process.hrtime.bigint();
  const acks = await driveInWorker(url, requests, CONNECTIONS, false, BURST_MS);
  const accepted = acks.requests - acks.inAck - acks.failures;
  // The answers keep coming after the last ack: wait for them all (or for them to stop).
  // Answers ready in time came in their acks; the rest at the response URL.
  const delivered = () => acks.answeredInAck + fake.count('response_url') - before;
  let answered = delivered();
  let seconds = Number(process.hrtime.bigint() - began) / 1e9;
  let quietSince = Date.now();
  while (pid !== undefined && answered < accepted && Date.now() - quietSince < 5_000) {
    await sleep(20);
    const now = delivered();
    if (now !== answered) {
      answered = now;
      seconds = Number(process.hrtime.bigint() - began) / 1e9;
      quietSince = Date.now();
    }
  }
  return { acks, accepted, answered, seconds, peakMb: pid === undefined ? undefined : statusMb(pid, 'VmHWM') };
}

async function bareBurst(fake: BenchSlackThread): Promise<LoadResult> {
  const port = await freePort();
  const logger = new AppLogger('warn');
  const app = new App({
    token: 'xoxb-bench',
    receiver: new HTTPReceiver({ signingSecret: BENCH_SECRET, endpoints: '/slack/events', logger }),
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: { slackApiUrl: fake.url },
  });
  app.command('/cop', async ({ ack }) => ack());
  await app.start(port);
  try {
    const seeded = { channelId: 'C0BARE', allMembers: ['UB000001'] } as Seeded;
    return (await burst(`http://127.0.0.1:${port}/slack/events`, fake, seeded, 'bare')).acks;
  } finally {
    await app.stop();
  }
}

function printBurst(kind: string, b: Burst, bare: LoadResult): void {
  const goodput = b.answered / b.seconds;
  const ratio = goodput / bare.throughput;
  const all = b.answered >= b.accepted && b.acks.failures === 0;
  console.log(
    `  on ${kind.padEnd(9)} ${f0(b.acks.requests)} commands acked (${f0(b.acks.throughput)}/s, p99 ${f0(b.acks.p99)} ms, ` +
      `${b.acks.late} over 3 s), ${f0(b.acks.inAck)} told "busy"; ${f0(b.answered)} of ${f0(b.accepted)} accepted answered ` +
      `${judge(all)}`,
  );
  console.log(
    `  ${''.padEnd(12)} goodput ${f0(goodput)} answers/s over ${f1(b.seconds)} s = ${f0(ratio * 100)}% of bare ` +
      `(goal >= ${GOAL.goodput * 100}%) ${judge(ratio >= GOAL.goodput)}; ` +
      `peak RSS of the bot ${f0(b.peakMb)} MB (goal <= ${GOAL.peakRss} MB) ${judge(b.peakMb !== undefined && b.peakMb <= GOAL.peakRss)}`,
  );
}

/** `npm start`, npm included, on a fresh COP_DATA_DIR in a 256 MB cgroup: ready, and still up 10 s later. */
async function inCgroup(fake: BenchSlackThread): Promise<void> {
  const group = memoryCgroup(`cop-bench-${process.pid}`, GOAL.cgroupMb);
  if (typeof group === 'string') {
    console.log(`  npm start in a ${GOAL.cgroupMb} MB memory limit: not measured: ${group}`);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cop-bench-cgroup-'));
  try {
    for (const run of ['first start', 'restart']) {
      const [command, ...args] = group.wrap('npm start --silent');
      const env = botEnv(fake, { COP_DATA_DIR: dataDir });
      const bot = await startProcess(command!, args, { env, cwd: REPO });
      await sleep(10_000);
      const up =
        bot.child.exitCode === null &&
        (await fetch(`http://127.0.0.1:${bot.port}/healthz`)
          .then((r) => r.ok)
          .catch(() => false));
      const ok = bot.readySeconds !== undefined && up && group.oomKills() === 0;
      console.log(
        `  npm start in a ${GOAL.cgroupMb} MB cgroup, ${run.padEnd(11)} ready in ${f1(bot.readySeconds)} s, ` +
          `${up ? 'still up' : 'NOT up'} 10 s later, peak ${f0(group.peakMb())} MB, OOM kills ${group.oomKills()} ${judge(ok)}`,
      );
      await bot.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await sleep(500);
    try {
      group.remove();
    } catch {
      // a straggler still in it; the kernel frees it once empty
    }
  }
}

async function main(): Promise<void> {
  const fake = await new BenchSlackThread().start();
  console.log(
    `CoP bot as a process: embedded PostgreSQL, memory, and a ${BURST_MS / 1000} s /cop norms burst at ${CONNECTIONS} connections; ` +
      `${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'cop-bench-embedded-'));
  const postgres = await createThrowawayPostgres(undefined, { max: 2 });
  let embeddedBot: Started | undefined;
  let postgresBot: Started | undefined;
  try {
    const starts = await embeddedStarts(fake, dataDir);
    embeddedBot = starts.restarted;
    console.log('Embedded PostgreSQL server (no DATABASE_URL), a fresh bot process:');
    const first = starts.first.readySeconds;
    const again = starts.restarted.readySeconds;
    console.log(
      `  first start to /healthz (initdb)   ${f1(first)} s (goal <= ${GOAL.firstStart} s) ${judge(first !== undefined && first <= GOAL.firstStart)}`,
    );
    console.log(
      `  restart to /healthz                ${f1(again)} s (goal <= ${GOAL.restart} s) ${judge(again !== undefined && again <= GOAL.restart)}`,
    );
    for (const [label, pss] of [
      ['first start', starts.firstPss],
      ['restart', starts.restartPss],
    ] as const) {
      console.log(
        `  idle PSS after the ${label.padEnd(11)}   ${f0(pss.mb)} MB, bot + ${pss.processes - 1} postgres processes ` +
          `(goal <= ${GOAL.idlePss} MB) ${judge(pss.mb !== undefined && pss.mb <= GOAL.idlePss)}`,
      );
    }
    await inCgroup(fake);

    console.log(`/cop norms, ${BURST_MS / 1000} s burst at ${CONNECTIONS} connections:`);
    const bare = await bareBurst(fake);
    console.log(
      `  bare Bolt    ${f0(bare.requests)} commands acked, ${f0(bare.throughput)} acks/s (p99 ${f0(bare.p99)} ms)`,
    );

    const pgSeeded = await seedAt(postgres.url, true);
    postgresBot = await startBot(botEnv(fake, { DATABASE_URL: postgres.url }));
    const onPostgres = await burst(
      `http://127.0.0.1:${postgresBot.port}/slack/events`,
      fake,
      pgSeeded,
      'pg',
      postgresBot.child.pid,
    );
    printBurst('postgres', onPostgres, bare);
    await postgresBot.stop();

    const emSeeded = await seedAt(embeddedUrl(dataDir), false);
    const onEmbedded = await burst(
      `http://127.0.0.1:${embeddedBot.port}/slack/events`,
      fake,
      emSeeded,
      'em',
      embeddedBot.child.pid,
    );
    printBurst('embedded', onEmbedded, bare);
  } finally {
    await embeddedBot?.stop();
    await postgresBot?.stop();
    await postgres.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await fake.stop();
  }
  const missed = goals.filter((ok) => !ok).length;
  console.log(`Goals: ${goals.length - missed} of ${goals.length} met (load average now ${loadavg()[0]!.toFixed(1)}).`);
  process.exit(process.argv.includes('--strict') && missed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
