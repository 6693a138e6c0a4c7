import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
/** The compiled entry point `npm start` runs. */
export const MAIN_JS = join(REPO_ROOT, 'dist/src/main.js');

const SOURCES = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Compiles dist/ when it is missing or older than the sources, so tests that start the real
 * process (`node dist/src/main.js`) run what the sources say. CI builds first, so this is a no-op there.
 */
export function ensureBuilt(): void {
  const built = existsSync(MAIN_JS) ? statSync(MAIN_JS).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((p) => newestMtime(join(REPO_ROOT, p))));
  if (built >= sources) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

/** The path of the compiled bot, for tests that run it; throws if the build in globalSetup failed. */
export function builtMain(): string {
  const failed = process.env.COP_TEST_BUILD_ERROR;
  if (failed) throw new Error(`building dist/ failed (npx tsc -p tsconfig.build.json): ${failed}`);
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
  return MAIN_JS;
}
