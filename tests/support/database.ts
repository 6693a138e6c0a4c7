import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';

export type DatabaseKind = 'postgres' | 'pglite';
export const DATABASE_KINDS: DatabaseKind[] = ['postgres', 'pglite'];

/** The server tests create their own databases on; override with TEST_DATABASE_URL. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends DatabaseHandle {
  /** Connection string of the throwaway database (postgres only). */
  readonly url?: string;
  /** Drops everything; call in afterAll. */
  destroy(): Promise<void>;
}

/** A freshly migrated database of its own, so test files never collide. */
export async function createTestDatabase(
  kind: DatabaseKind,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (kind === 'pglite') {
    const handle = openPglite();
    if (migrate) await migrateToLatest(handle.db);
    return { ...handle, destroy: () => handle.close() };
  }
  const name = `cop_test_${randomBytes(6).toString('hex')}`;
  const template = process.env.COP_TEST_TEMPLATE_DB;
  // Copying the run's migrated template is much faster than migrating anew.
  await adminQuery(migrate && template ? `create database ${name} template ${template}` : `create database ${name}`);
  const url = withDatabase(ADMIN_URL, name);
  const handle = openPostgres(url, { max: 20 });
  if (migrate && !template) await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    destroy: async () => {
      await handle.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
