import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config';
import type { AppLogger } from './logger';

/** The key that signs anonymous authors' follow-up capabilities, and earlier ones that still verify. */
export interface CapabilityKeys {
  readonly current: string;
  readonly previous: readonly string[];
}

export const CAPABILITY_SECRET_FILE = 'capability-secret';

/**
 * COP_CAPABILITY_SECRET when set. Otherwise, with the embedded database, a random key kept in
 * COP_DATA_DIR (a file only its owner reads, never in the database, so a database dump cannot
 * forge an author's links); with DATABASE_URL, derived from the Slack secret as before, which
 * a rotation of that secret would invalidate: said once at start.
 */
export function capabilityKeys(
  config: Pick<
    Config,
    'capabilitySecret' | 'capabilitySecretPrevious' | 'databaseUrl' | 'dataDir' | 'slackSigningSecret' | 'slackBotToken'
  >,
  logger: AppLogger,
): CapabilityKeys {
  const previous = config.capabilitySecretPrevious ? [config.capabilitySecretPrevious] : [];
  if (config.capabilitySecret) return { current: config.capabilitySecret, previous };
  if (!config.databaseUrl) return { current: generatedSecret(config.dataDir), previous };
  logger.info(
    'COP_CAPABILITY_SECRET is not set: anonymous authors’ follow-up links are signed with a key derived from the ' +
      'Slack signing secret. Set COP_CAPABILITY_SECRET so that rotating the Slack secret keeps them working.',
  );
  return { current: derivedSecret(config), previous };
}

/** What the bot signed with before COP_CAPABILITY_SECRET existed (and still does, with DATABASE_URL and none set). */
export function derivedSecret(config: Pick<Config, 'slackSigningSecret' | 'slackBotToken'>): string {
  return config.slackSigningSecret ?? config.slackBotToken;
}

function generatedSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CAPABILITY_SECRET_FILE);
  const existing = readSecret(file);
  if (existing) return existing;
  try {
    // `wx`: of two processes starting at once, one writes and the other reads what it wrote.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const written = readSecret(file);
  if (!written) throw new Error(`${file} is empty: delete it and start again to generate a new key`);
  return written;
}

function readSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
