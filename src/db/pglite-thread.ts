import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** What the thread is asked to do, and what it answers. */
type Job = { kind: 'query'; sql: string; params: unknown[] } | { kind: 'close' };
type Reply =
  | { id: number; ok: true; rows: unknown[]; affectedRows?: number }
  | { id: number; ok: false; error: Record<string, unknown> & { message: string } };
type Started = { started: true } | { started: false; error: string };

/**
 * The thread's code, evaluated in a worker: plain CommonJS, so it runs the same from `dist/` and
 * from the TypeScript sources under test. PGlite errors go back with their fields (code, detail,
 * constraint…), which callers read as from `pg`.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
// One options object: PGlite(undefined, options) would ignore the options.
const db = new PGlite({
  dataDir: workerData.dataDir,
  startParams: [...PGlite.defaultStartParams, ...workerData.settings.flatMap((setting) => ['-c', setting])],
});
db.waitReady.then(
  () => parentPort.postMessage({ started: true }),
  (error) => parentPort.postMessage({ started: false, error: String(error && error.message || error) }),
);
parentPort.on('message', async (request) => {
  if (request.kind === 'close') {
    await db.close().catch(() => undefined);
    parentPort.postMessage({ id: request.id, ok: true, rows: [] });
    parentPort.close();
    return;
  }
  try {
    const result = await db.query(request.sql, request.params);
    parentPort.postMessage({ id: request.id, ok: true, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    const fields = {};
    for (const [key, value] of Object.entries(error || {})) {
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
    }
    parentPort.postMessage({ id: request.id, ok: false, error: { ...fields, message: String(error && error.message || error) } });
  }
});
`;

/**
 * Embedded PostgreSQL on a thread of its own. PGlite runs PostgreSQL compiled to WebAssembly, and
 * every query runs to completion on the thread that calls it: on the bot's own thread, requests
 * waited behind queries (the bot acked `/cop norms` at 6% of bare Bolt's rate). On a worker, the
 * queries run on the machine's other core while the event loop acks and renders.
 *
 * One connection, as PGlite has: Kysely's connections are handed out one at a time (a
 * transaction holds it from begin to commit).
 */
export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  readonly started: Promise<void>;

  /**
   * `dataDir` undefined keeps the database in memory (tests); `settings` are PostgreSQL settings
   * (`name=value`) added to PGlite's defaults.
   */
  constructor(dataDir: string | undefined, settings: readonly string[] = []) {
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { pglite: require.resolve('@electric-sql/pglite'), dataDir, settings },
    });
    let failStart: (error: Error) => void = () => undefined;
    this.started = new Promise<void>((resolve, reject) => {
      failStart = reject;
      this.worker.once('message', (message: Started) =>
        message.started ? resolve() : reject(new Error(`PGlite did not start: ${message.error}`)),
      );
    });
    // A failed start is reported by every query (and by migrations, the first); the thread keeps
    // the process alive only while it has work: an idle embedded database must not hold up an
    // exit (a test that forgot to close it, a CLI done with it).
    const idle = () => this.idleCheck();
    this.started.then(idle, idle);
    this.worker.on('message', (message: Reply | Started) => {
      if (!('id' in message)) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      this.idleCheck();
      waiter?.resolve(message);
    });
    const fail = (error: Error) => {
      failStart(error); // no-op once started
      this.failure ??= error;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the PGlite thread stopped (exit code ${code})`)));
  }

  async query(sql: string, params: readonly unknown[]): Promise<QueryResult<unknown>> {
    const reply = await this.send({ kind: 'query', sql, params: [...params] });
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
    return {
      rows: reply.rows,
      ...(reply.affectedRows ? { numAffectedRows: BigInt(reply.affectedRows) } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.failure) return;
    await this.send({ kind: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private async send(job: Job): Promise<Reply> {
    await this.started;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...job, id });
    });
  }

  private idleCheck(): void {
    if (this.pending.size === 0) this.worker.unref();
  }
}

class ThreadConnection implements DatabaseConnection {
  constructor(private readonly thread: PgliteThread) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.thread.query(compiledQuery.sql, compiledQuery.parameters) as Promise<QueryResult<R>>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on the embedded database');
  }
}

class ThreadDriver implements Driver {
  private readonly connection: ThreadConnection;
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly thread: PgliteThread) {
    this.connection = new ThreadConnection(thread);
  }

  async init(): Promise<void> {
    await this.thread.started;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy = true;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    await this.thread.close();
  }
}

/** Kysely's dialect for PGlite on its own thread (PostgreSQL's SQL, adapter and introspection). */
export class PgliteThreadDialect implements Dialect {
  constructor(private readonly thread: PgliteThread) {}

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new ThreadDriver(this.thread);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
