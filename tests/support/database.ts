import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type DatabaseHandle } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';

/**
 * Where a test's database lives: the PostgreSQL server of the machine (the default), or the
 * embedded server the bot starts without DATABASE_URL (one per test run, started in globalSetup).
 */
export type DatabaseKind = 'postgres' | 'embedded';
export const DATABASE_KINDS: DatabaseKind[] = ['postgres', 'embedded'];

/** The server tests create their own databases on; override with TEST_DATABASE_URL. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Set by globalSetup: the run's embedded server (its `postgres` database) and migrated templates. */
export const EMBEDDED_URL_VAR = 'COP_TEST_EMBEDDED_URL';
const TEMPLATE_VARS: Record<DatabaseKind, string> = {
  postgres: 'COP_TEST_TEMPLATE_DB',
  embedded: 'COP_TEST_EMBEDDED_TEMPLATE_DB',
};

export function adminUrlOf(kind: DatabaseKind): string {
  if (kind === 'postgres') return ADMIN_URL;
  const url = process.env[EMBEDDED_URL_VAR];
  if (!url) {
    const failed = process.env.COP_TEST_EMBEDDED_ERROR;
    throw new Error(`the embedded PostgreSQL server did not start in globalSetup${failed ? `: ${failed}` : ''}`);
  }
  return url;
}

export interface TestDatabase extends DatabaseHandle {
  /** Connection string of the throwaway database. */
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
  const admin = adminUrlOf(kind);
  const name = `cop_test_${randomBytes(6).toString('hex')}`;
  const template = process.env[TEMPLATE_VARS[kind]];
  // Copying the run's migrated template is much faster than migrating anew.
  await adminQuery(
    migrate && template ? `create database ${name} template ${template}` : `create database ${name}`,
    kind,
  );
  const url = withDatabase(admin, name);
  const handle = openPostgres(url, { max: 20 });
  if (migrate && !template) await migrateToLatest(handle.db);
  return {
    ...handle,
    kind: kind === 'embedded' ? 'embedded' : 'postgres',
    url,
    destroy: async () => {
      await handle.close();
      await adminQuery(`drop database if exists ${name} with (force)`, kind);
    },
  };
}

/** Migrates a template database on `kind`'s server and names it in the environment (globalSetup). */
export async function createTemplate(kind: DatabaseKind): Promise<void> {
  const name = `cop_tpl_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create database ${name}`, kind);
  const handle = openPostgres(withDatabase(adminUrlOf(kind), name), { max: 1 });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  process.env[TEMPLATE_VARS[kind]] = name;
}

export async function dropTemplate(kind: DatabaseKind): Promise<void> {
  const name = process.env[TEMPLATE_VARS[kind]];
  if (name) await adminQuery(`drop database if exists ${name} with (force)`, kind);
}

export async function adminQuery(text: string, kind: DatabaseKind = 'postgres'): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrlOf(kind) });
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
