import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
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

/** A bot (or `npm start`) in a process of its own, in a process group of its own. */
export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  /** Seconds from spawn to the first 200 on /healthz, or undefined if it never came. */
  readonly readySeconds: number | undefined;
  output(): string;
  /** SIGTERM to the whole group (npm and the bot), then waits for the exit. */
  stop(): Promise<void>;
}

export async function startProcess(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; timeoutMs?: number },
): Promise<Started> {
  const port = Number(options.env.PORT ?? (await freePort()));
  const began = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let readySeconds: number | undefined;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) {
      readySeconds = Number(process.hrtime.bigint() - began) / 1e9;
      break;
    }
    await sleep(20);
  }
  return {
    child,
    port,
    readySeconds,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      }
      await Promise.race([exited, sleep(15_000)]);
    },
  };
}

/** The process and all its descendants, from /proc (Linux). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

/** Sum of PSS (kB → MB) over the pids, from smaps_rollup; undefined without /proc. */
export function pssMb(pids: number[]): number | undefined {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      if (pid === pids[0]) return undefined;
    }
  }
  return kb / 1024;
}

/** A status field of /proc/<pid>/status in MB (VmRSS, VmHWM). */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A memory-limited cgroup (v2, else v1) the bench can put processes in, or why there is none. */
export interface MemoryCgroup {
  /** Prefix a command with this to run it inside the group. */
  wrap(command: string): string[];
  peakMb(): number | undefined;
  oomKills(): number;
  remove(): void;
}

export function memoryCgroup(name: string, limitMb: number): MemoryCgroup | string {
  const limit = String(limitMb * 1024 * 1024);
  const v2root = '/sys/fs/cgroup';
  try {
    if (existsSync(join(v2root, 'cgroup.controllers'))) {
      const controllers = readFileSync(join(v2root, 'cgroup.subtree_control'), 'utf8');
      if (!controllers.includes('memory')) throw new Error('the memory controller is not enabled in /sys/fs/cgroup');
      const dir = join(v2root, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), limit);
      writeFileSync(join(dir, 'memory.swap.max'), '0');
      return {
        wrap: (command) => ['sh', '-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec ${command}`],
        peakMb: () => readMb(join(dir, 'memory.peak')),
        oomKills: () => Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1] ?? 0),
        remove: () => rmdirSync(dir),
      };
    }
    // cgroup v1: the memory hierarchy, under this process's own group.
    const own = /(?:^|\n)\d+:memory:(.*)/.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (own === undefined) return 'no memory cgroup controller on this machine';
    const dir = join(v2root, 'memory', own, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'memory.limit_in_bytes'), limit);
    try {
      writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), limit);
    } catch {
      // no swap accounting: there is no swap to escape to here either
    }
    return {
      wrap: (command) => ['sh', '-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec ${command}`],
      peakMb: () => readMb(join(dir, 'memory.max_usage_in_bytes')),
      oomKills: () => {
        const control = readFileSync(join(dir, 'memory.oom_control'), 'utf8');
        return Number(/oom_kill (\d+)/.exec(control)?.[1] ?? 0);
      },
      remove: () => rmdirSync(dir),
    };
  } catch (error) {
    return `cannot make a memory cgroup here (${error instanceof Error ? error.message : String(error)}): run the bench as root on Linux`;
  }
}

function readMb(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) / 1024 / 1024;
  } catch {
    return undefined;
  }
}
