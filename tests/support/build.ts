import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
/** The compiled entry point `npm start` runs. */
export const MAIN_JS = join(REPO_ROOT, 'dist/src/main.js');

/**
 * Compiles dist/ when it is missing or older than the sources (scripts/build-if-stale.cjs, what
 * `npm start` runs first), so tests that start the real process run what the sources say. CI
 * builds first, so this is a no-op there.
 */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-if-stale.cjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** The path of the compiled bot, for tests that run it; throws if the build in globalSetup failed. */
export function builtMain(): string {
  const failed = process.env.COP_TEST_BUILD_ERROR;
  if (failed) throw new Error(`building dist/ failed (npx tsc -p tsconfig.build.json): ${failed}`);
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build`);
  return MAIN_JS;
}
