import { adminQuery } from './database';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.COP_TEST_TEMPLATE_DB;
  if (name) await adminQuery(`drop database if exists ${name} with (force)`);
}
