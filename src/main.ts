import 'dotenv/config';
import { createApp } from './app';
import { capabilityKeys } from './capability-secret';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { DataDirError } from './db/embedded/data-dir';
import { migrateToLatest } from './db/migrate';
import { AppLogger } from './logger';
import { keepServingOnUnexpectedErrors } from './last-resort';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = new AppLogger(config.logLevel);
  keepServingOnUnexpectedErrors(logger);
  const database = await openDatabase(config, logger.child('database'));
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const bot = createApp({ config, database, logger, capabilityKeys: capabilityKeys(config, logger) });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    // Whatever happens, be gone within 10 seconds.
    setTimeout(() => process.exit(1), 10_000).unref();
    bot
      .stop()
      .then(() => database.close())
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await bot.start();
}

main().catch((error: unknown) => {
  // A refusal (another bot on this COP_DATA_DIR, an old PGlite database) is its own one line.
  if (error instanceof DataDirError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('CoP bot failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
