import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PgliteThread, PgliteThreadDialect } from './pglite-thread';
import { PreparingPool } from './prepared-statements';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** Connections checked out of the pool (PostgreSQL only), for /metrics. */
  poolInUse?(): number;
  /** True when a trivial query answers; used by /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// int8 (counts, bigserial) parse as numbers on pg, as PGlite already does, so both
// back ends hand the code the same shapes. Our int8 values stay far below 2^53.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function openPostgres(connectionString: string, options: { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  // Nor may a checked-out client losing it between queries (pg emits 'error' on the client then);
  // its next query fails, is retried where that matters, and the pool discards the client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PreparingPool(pool) }) });
  return { ...handle(db, 'postgres'), poolInUse: () => pool.totalCount - pool.idleCount };
}

/**
 * PGlite's PostgreSQL keeps its default 128 MB of shared buffers inside the process, and
 * touches them: most of an idle bot's memory (about 300 MB resident on a restart, against
 * about 150 MB with 16 MB). A CoP's data is a few MB; pages beyond the buffers are read back
 * from the data directory through the OS's cache.
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB'];

/** Embedded PostgreSQL on a thread of its own (see PgliteThread); `dataDir` undefined keeps it in memory (tests). */
export function openPglite(dataDir?: string): DatabaseHandle {
  let dir: string | undefined;
  if (dataDir) {
    dir = resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const db = new Kysely<Database>({ dialect: new PgliteThreadDialect(new PgliteThread(dir, PGLITE_SETTINGS)) });
  return handle(db, 'pglite');
}

export function openDatabase(config: { databaseUrl?: string; dataDir: string }): DatabaseHandle {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite(config.dataDir);
}

function handle(db: Db, kind: DatabaseHandle['kind']): DatabaseHandle {
  let closed = false;
  return {
    db,
    kind,
    async ping() {
      if (closed) return false;
      try {
        await withTimeout(sql`select 1`.execute(db), 2_000);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
