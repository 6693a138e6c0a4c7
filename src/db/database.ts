import { withDeadline } from '../deadline';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { EmbeddedServer, type ServerLog } from './embedded/server';
import { PreparingPool } from './prepared-statements';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'postgres' | 'embedded';
  /** Connections checked out of the pool, for /metrics. */
  poolInUse?(): number;
  /** True when a trivial query answers; used by /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// int8 (counts, bigserial) parse as numbers: the code counts in numbers, and our int8 values
// stay far below 2^53.
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
 * With no DATABASE_URL: a PostgreSQL server of the bot's own (see EmbeddedServer), data in
 * `dataDir`. Closing the handle closes the pool, then stops the server.
 */
export async function openEmbedded(
  dataDir: string,
  options: { logger?: ServerLog; settings?: Record<string, string> } = {},
): Promise<DatabaseHandle> {
  const server = await EmbeddedServer.start({ dataDir, ...options });
  const postgres = openPostgres(server.url(), { max: 8 });
  return {
    ...postgres,
    kind: 'embedded',
    async close() {
      await postgres.close();
      await server.stop();
    },
  };
}

export function openDatabase(
  config: { databaseUrl?: string; dataDir: string },
  logger?: ServerLog,
): Promise<DatabaseHandle> {
  return config.databaseUrl
    ? Promise.resolve(openPostgres(config.databaseUrl))
    : openEmbedded(config.dataDir, { logger });
}

function handle(db: Db, kind: DatabaseHandle['kind']): DatabaseHandle {
  let closed = false;
  return {
    db,
    kind,
    async ping() {
      if (closed) return false;
      try {
        await withDeadline(sql`select 1`.execute(db), 2_000, () => new Error('timed out after 2000 ms'));
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
