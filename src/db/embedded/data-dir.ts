import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

/** What the bot keeps in COP_DATA_DIR when it runs the embedded server. */
export interface DataDirLayout {
  readonly root: string;
  /** The PostgreSQL cluster (PGDATA). */
  readonly cluster: string;
  /** The server superuser's generated password, mode 0600. */
  readonly passwordFile: string;
  /** Held by the running bot: its pid. */
  readonly lockFile: string;
  /** Where an earlier version kept its PGlite database. */
  readonly pglite: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = resolve(dataDir);
  return {
    root,
    cluster: join(root, 'postgres'),
    passwordFile: join(root, 'postgres-password'),
    lockFile: join(root, 'bot.pid'),
    pglite: join(root, 'pglite'),
  };
}

/** A refusal to start, told in one line (main prints it and exits). */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** True while `pid` is a running process (one we may not signal counts as running). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process where /proc tells it (Linux), else undefined. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/**
 * One bot per data directory: the lock file holds the pid of the bot using it. A pid file left by
 * a bot that died (SIGKILL, power loss) is stale and taken over; a live one refuses the start.
 */
export function acquireLock(layout: DataDirLayout): () => void {
  mkdirSync(layout.root, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(layout.lockFile, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(layout.lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readFileSync(layout.lockFile, 'utf8'), 10);
    if (holder !== process.pid && isAlive(holder) && looksLikeNode(holder)) {
      throw new DataDirError(
        `Another CoP bot (pid ${holder}) is already running on COP_DATA_DIR=${layout.root}: stop it first, or give this one another COP_DATA_DIR.`,
      );
    }
    rmSync(layout.lockFile, { force: true });
  }
  throw new DataDirError(
    `Could not take the lock ${layout.lockFile}: another bot is starting on the same COP_DATA_DIR.`,
  );
}

function looksLikeNode(pid: number): boolean {
  const command = commandOf(pid);
  // Without /proc we cannot tell a reused pid from a bot: assume the bot.
  return command === undefined || /node|cop/i.test(command);
}

/** The generated password, created once (mode 0600) and kept. */
export function serverPassword(layout: DataDirLayout): string {
  if (existsSync(layout.passwordFile)) return readFileSync(layout.passwordFile, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(layout.passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/** An earlier version's PGlite database is not silently ignored. */
export function refusePglite(layout: DataDirLayout): void {
  const marker = join(layout.pglite, 'PG_VERSION');
  if (!existsSync(marker) || !statSync(marker).isFile()) return;
  throw new DataDirError(
    `${layout.pglite} holds the database of an earlier CoP bot version (PGlite), which this version no longer reads: ` +
      `to keep its rows, follow "Moving from PGlite" in README.md (dump it, load it into the embedded server); ` +
      `to start afresh, move that folder out of COP_DATA_DIR.`,
  );
}
