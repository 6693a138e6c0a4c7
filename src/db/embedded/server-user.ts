import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirError } from './data-dir';

/** The unprivileged account the server runs as when the bot runs as root (PostgreSQL refuses root). */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const NAME = 'postgres';

/** Undefined when the bot is not root: the server then runs as the bot's own user. */
export function serverUser(): ServerUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  return lookup() ?? create();
}

function lookup(): ServerUser | undefined {
  try {
    const id = (flag: string) =>
      Number.parseInt(execFileSync('id', [flag, NAME], { encoding: 'utf8', stdio: 'pipe' }), 10);
    return { name: NAME, uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

function create(): ServerUser {
  // Debian/Ubuntu/RHEL have useradd; Alpine's busybox has adduser.
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME]],
    ['adduser', ['-S', '-D', '-H', NAME]],
  ];
  for (const [command, args] of attempts) {
    try {
      execFileSync(command, args, { stdio: 'pipe' });
      const user = lookup();
      if (user) return user;
    } catch {
      // try the next way
    }
  }
  throw new DataDirError(
    `PostgreSQL refuses to run as root and there is no "${NAME}" user to run it as: create one (useradd --system ${NAME}), or run the bot as a normal user.`,
  );
}

/** Gives the server user the cluster, and a way through COP_DATA_DIR to it (search permission only). */
export function handOver(root: string, cluster: string, user: ServerUser): void {
  const mode = statSync(root).mode;
  if ((mode & 0o001) === 0) chmodSync(root, (mode & 0o7777) | 0o001);
  chownTree(cluster, user);
}

function chownTree(path: string, user: ServerUser): void {
  const stat = statSync(path);
  if (stat.uid !== user.uid || stat.gid !== user.gid) chownSync(path, user.uid, user.gid);
  if (stat.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), user);
}

/** Fails in one line when the server user cannot run the binaries (a checkout under /root, say). */
export function checkRunnable(postgres: string, user: ServerUser | undefined): void {
  try {
    execFileSync(postgres, ['--version'], { stdio: 'pipe', ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  } catch (error) {
    const who = user ? `user ${user.name} (PostgreSQL refuses root)` : 'this user';
    throw new DataDirError(
      `The embedded PostgreSQL server cannot run as ${who}: ${postgres} failed (${(error as Error).message.split('\n')[0]}). ` +
        `Make the project folder readable by that user, or set DATABASE_URL.`,
    );
  }
}
