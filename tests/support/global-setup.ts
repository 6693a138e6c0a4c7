import { randomBytes } from 'node:crypto';
import { openPostgres } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { ADMIN_URL, adminQuery, withDatabase } from './database';

/**
 * One migrated template database per test run: each test then copies it (CREATE DATABASE …
 * TEMPLATE), which takes milliseconds instead of re-running every migration.
 */
export default async function globalSetup(): Promise<void> {
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
