import { randomBytes } from 'node:crypto';
import { openPostgres } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { ensureBuilt } from './build';
import { ADMIN_URL, adminQuery, withDatabase } from './database';

/**
 * One migrated template database per test run: each test then copies it (CREATE DATABASE …
 * TEMPLATE), which takes milliseconds instead of re-running every migration.
 */
export default async function globalSetup(): Promise<void> {
  // Some tests run the compiled bot as a child process; build it once here, only if stale.
  // A failed build fails those tests (see builtMain), not the whole run.
  try {
    ensureBuilt();
  } catch (error) {
    process.env.COP_TEST_BUILD_ERROR = error instanceof Error ? error.message : String(error);
  }
  const name = `cop_tpl_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const handle = openPostgres(withDatabase(ADMIN_URL, name), { max: 1 });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  process.env.COP_TEST_TEMPLATE_DB = name;
}
