import { spawn } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandOf, isAlive, type DataDirLayout } from './data-dir';
import type { ServerUser } from './server-user';

/** What postgres and initdb run with: our uid/gid when root, C messages (we read them). */
export function spawnOptions(user: ServerUser | undefined) {
  return {
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  };
}

/** First start: an empty cluster owned by the server user, its superuser `cop` with the generated password. */
export async function initCluster(
  layout: DataDirLayout,
  initdb: string,
  password: string,
  user: ServerUser | undefined,
): Promise<void> {
  const pwfile = join(layout.root, '.initdb-password');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  try {
    const args = [
      `--pgdata=${layout.cluster}`,
      '--username=cop',
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      // No OS locale needed, on any machine: code-point order, UTF-8 aware.
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--locale=C',
      '--no-instructions',
      // Its fsync of every file costs seconds on a slow disk: syncCluster does it once the server runs.
      '--no-sync',
    ];
    await run(initdb, args, user);
  } finally {
    unlinkSync(pwfile);
  }
}

/**
 * The fsync initdb skipped, in the background while the bot starts (the first start is then
 * ready seconds sooner); only a crash in those seconds could lose the new, still empty, cluster.
 */
export function syncCluster(layout: DataDirLayout, initdb: string, user: ServerUser | undefined): void {
  const child = spawn(initdb, ['--sync-only', `--pgdata=${layout.cluster}`], {
    ...spawnOptions(user),
    stdio: 'ignore',
  });
  child.on('error', () => undefined);
  child.unref();
}

function run(command: string, args: string[], user: ServerUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions(user), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}): ${stderr.trim().split('\n').pop()}`)),
    );
  });
}

/** The pid and status line of postmaster.pid, if there is one. */
export function readPidFile(cluster: string): { pid: number; status: string } | undefined {
  const file = join(cluster, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  return { pid: Number.parseInt(lines[0] ?? '', 10), status: (lines[7] ?? '').trim() };
}

/**
 * A bot killed with SIGKILL leaves its server running, holding the cluster: stop it (a fast
 * shutdown, as the bot would have done). A pid file whose process is gone, or is no server of
 * this cluster (its pid reused after a reboot), is stale and goes.
 * Returns the pid of the server it stopped, if any.
 */
export async function clearOrphan(cluster: string): Promise<number | undefined> {
  const found = readPidFile(cluster);
  if (!found) return undefined;
  const command = commandOf(found.pid);
  const ours = isAlive(found.pid) && (command === undefined || command.includes(cluster));
  if (!ours) {
    rmSync(join(cluster, 'postmaster.pid'), { force: true });
    return undefined;
  }
  process.kill(found.pid, 'SIGINT');
  if (!(await exited(found.pid, 15_000))) {
    process.kill(found.pid, 'SIGQUIT');
    await exited(found.pid, 5_000);
  }
  return found.pid;
}

async function exited(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
