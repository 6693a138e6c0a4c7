import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './binaries';
import { clearOrphan, initCluster, readPidFile, spawnOptions, syncCluster } from './cluster';
import { acquireLock, dataDirLayout, refusePglite, serverPassword, type DataDirLayout } from './data-dir';
import { checkRunnable, handOver, serverUser } from './server-user';

/**
 * Sized for one team: a CoP's data is a few MB, and the bot keeps a handful of connections.
 * Fewer background processes (no parallel workers, synchronous I/O) keep the idle footprint small.
 */
export const SMALL_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  max_connections: '20',
  work_mem: '4MB',
  maintenance_work_mem: '16MB',
  max_wal_size: '128MB',
  min_wal_size: '32MB',
  io_method: 'sync',
  max_worker_processes: '2',
  max_parallel_workers: '0',
  max_parallel_workers_per_gather: '0',
  max_parallel_maintenance_workers: '0',
  autovacuum_max_workers: '1',
  jit: 'off',
  huge_pages: 'off',
  // Only a failure to start or a crash reaches the bot's log: statements may carry members' words.
  log_min_messages: 'fatal',
  log_min_error_statement: 'panic',
  lc_messages: 'C',
};

/** Where the server's few lines go (the app's logger fits). */
export interface ServerLog {
  info(message: string): void;
  error(message: string): void;
}

export interface EmbeddedServerOptions {
  readonly dataDir: string;
  readonly logger?: ServerLog;
  /** Overrides of SMALL_SETTINGS (tests run many databases on one server). */
  readonly settings?: Readonly<Record<string, string>>;
}

/** A PostgreSQL server the bot starts as its child, its cluster in COP_DATA_DIR/postgres. */
export class EmbeddedServer {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly layout: DataDirLayout,
    readonly port: number,
    private readonly password: string,
    private readonly child: ChildProcess,
    private readonly releaseLock: () => void,
    private readonly onExit: () => void,
  ) {}

  /** Connection string for `database` (default `cop`), on loopback with the generated password. */
  url(database = 'cop'): string {
    return `postgres://cop:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    const layout = dataDirLayout(options.dataDir);
    refusePglite(layout);
    const releaseLock = acquireLock(layout);
    try {
      return await EmbeddedServer.startLocked(layout, options, releaseLock);
    } catch (error) {
      releaseLock();
      throw error;
    }
  }

  private static async startLocked(
    layout: DataDirLayout,
    options: EmbeddedServerOptions,
    releaseLock: () => void,
  ): Promise<EmbeddedServer> {
    const logger = options.logger;
    const binaries = postgresBinaries();
    const user = serverUser();
    checkRunnable(binaries.postgres, user);
    const password = serverPassword(layout);
    const orphan = await clearOrphan(layout.cluster);
    if (orphan) logger?.info(`stopped the PostgreSQL server (pid ${orphan}) an earlier bot left running`);
    const firstStart = !existsSync(join(layout.cluster, 'PG_VERSION'));
    if (firstStart) {
      logger?.info(`first start: creating the PostgreSQL cluster in ${layout.cluster}`);
      // A cluster without PG_VERSION is what a failed initdb leaves: start it again from nothing.
      rmSync(layout.cluster, { recursive: true, force: true });
      mkdirSync(layout.cluster, { recursive: true, mode: 0o700 });
      if (user) handOver(layout.root, layout.cluster, user);
      await initCluster(layout, binaries.initdb, password, user);
    } else if (user) {
      handOver(layout.root, layout.cluster, user);
    }
    const port = await freePort();
    const settings = { ...SMALL_SETTINGS, ...options.settings };
    const args = ['-D', layout.cluster, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
    // No Unix socket: loopback TCP only, with the password (and no socket path length limits).
    if (process.platform !== 'win32') args.push('-c', 'unix_socket_directories=');
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    // Its own process group: a Ctrl-C in the terminal reaches the bot, which stops the server after itself.
    const child = spawn(binaries.postgres, args, {
      ...spawnOptions(user),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
      for (const line of chunk.toString().split('\n')) if (line.trim()) logger?.error(`postgres: ${line}`);
    });
    await waitReady(layout.cluster, child, () => stderr);
    if (firstStart) syncCluster(layout, binaries.initdb, user);
    // A bot that exits without stopping it (an uncaught error) still asks its server to stop.
    const onExit = () => {
      child.kill('SIGINT');
      releaseLock();
    };
    process.once('exit', onExit);
    const server = new EmbeddedServer(layout, port, password, child, releaseLock, onExit);
    child.once('exit', (code, signal) => {
      if (!server.stopping)
        logger?.error(`the embedded PostgreSQL server stopped unexpectedly (${signal ?? `exit ${code}`})`);
    });
    await server.ensureDatabase('cop');
    logger?.info(`embedded PostgreSQL on 127.0.0.1:${port} (pid ${child.pid}), data in ${layout.cluster}`);
    return server;
  }

  /** Creates `name` if it is missing. */
  async ensureDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }

  /** A fast shutdown (open sessions end, a checkpoint is written), then the lock goes. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      process.removeListener('exit', this.onExit);
      // Its stderr pipe closes just after it exits: waited for too (briefly), so no handle of the
      // server outlives the stop.
      const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
      if (this.child.exitCode === null && this.child.signalCode === null) {
        const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        this.child.kill('SIGINT');
        const timer = setTimeout(() => this.child.kill('SIGQUIT'), 8_000);
        await exited;
        clearTimeout(timer);
      }
      if (this.child.stderr && !this.child.stderr.closed) {
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      }
      this.releaseLock();
    })();
    return this.stopping;
  }
}

/** Resolves once postmaster.pid says the server is ready; rejects with its last words if it exits. */
function waitReady(cluster: string, child: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearInterval(timer);
      reject(new Error(`the embedded PostgreSQL server did not start (${why}): ${stderr().trim() || 'no output'}`));
    };
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(signal ?? `exit ${code}`));
    const timer = setInterval(() => {
      const found = readPidFile(cluster);
      if (found && found.pid === child.pid && found.status === 'ready') {
        clearInterval(timer);
        child.removeAllListeners('error');
        child.removeAllListeners('exit');
        resolve();
      }
    }, 20);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
