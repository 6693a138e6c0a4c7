import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer } from '../../src/db/embedded/server';
import { ensureBuilt } from './build';
import { createTemplate, EMBEDDED_URL_VAR } from './database';

/** The run's embedded server, kept where globalTeardown finds it (same process, other module). */
export interface EmbeddedForTests {
  server: EmbeddedServer;
  dataDir: string;
}
const holder = globalThis as { copTestEmbedded?: EmbeddedForTests };

/**
 * One migrated template database per server per test run: each test then copies it (CREATE
 * DATABASE … TEMPLATE), which takes milliseconds instead of re-running every migration.
 */
export default async function globalSetup(): Promise<void> {
  // Some tests run the compiled bot as a child process; build it once here, only if stale.
  // A failed build fails those tests (see builtMain), not the whole run.
  try {
    ensureBuilt();
  } catch (error) {
    process.env.COP_TEST_BUILD_ERROR = error instanceof Error ? error.message : String(error);
  }
  await createTemplate('postgres');
  await startEmbedded();
}

/** The server the bot starts without DATABASE_URL, shared by every test file that asks for 'embedded'. */
async function startEmbedded(): Promise<void> {
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'cop-test-embedded-'));
    // Many test databases at once; durability does not matter for a throwaway cluster.
    const settings = { max_connections: '300', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };
    const server = await EmbeddedServer.start({ dataDir, settings });
    holder.copTestEmbedded = { server, dataDir };
    process.env[EMBEDDED_URL_VAR] = server.url('postgres');
    await createTemplate('embedded');
  } catch (error) {
    process.env.COP_TEST_EMBEDDED_ERROR = error instanceof Error ? error.message : String(error);
  }
}
