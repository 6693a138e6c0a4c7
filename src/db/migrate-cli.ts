import 'dotenv/config';
import { z } from 'zod';
import { openDatabase } from './database';
import { migrateToLatest } from './migrate';

// `npm run migrate`: needs only the database settings, not the Slack tokens.
async function main(): Promise<void> {
  const env = z
    .object({ DATABASE_URL: z.string().optional(), COP_DATA_DIR: z.string().default('./data') })
    .parse(process.env);
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.COP_DATA_DIR });
  try {
    const result = await migrateToLatest(database.db);
    const applied = result.results?.map((r) => r.migrationName) ?? [];
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema already up to date');
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
