// `npm start`'s prestart and `npm install`'s prepare: compiles TypeScript to dist/ only when a
// source is newer than the last build, so a start when nothing changed does not wait for tsc.
// `--force` (npm run build) compiles whatever the times say. Each build is clean: it compiles
// into dist.next/ and then takes dist/'s place, so a source that was moved or deleted leaves no
// stale output behind (a stale dist/src/app.js would shadow dist/src/app/index.js).
// Where there is nothing to build (the image's production install: no sources, no TypeScript),
// it does nothing.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const dist = join(root, 'dist');
const next = join(root, 'dist.next');
const built = join(dist, 'src/main.js');
const force = process.argv.includes('--force');
const sources = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A folder's own time changes when a file in it is added, renamed or deleted.
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

if (!existsSync(join(root, 'src'))) process.exit(0);
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
if (!force && builtAt >= Math.max(...sources.map((p) => newest(join(root, p))))) process.exit(0);

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  if (builtAt > 0) process.exit(0); // a production install keeps the dist/ it was given
  console.error('dist/ is missing and TypeScript is not installed: run npm install (with dev dependencies)');
  process.exit(1);
}
if (!force) console.error('compiling TypeScript (sources changed since the last build)…');
rmSync(next, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', next], { cwd: root, stdio: 'inherit' });
rmSync(dist, { recursive: true, force: true });
renameSync(next, dist);
// tsc leaves an unchanged output file's mtime alone: mark the build as done now.
const now = new Date();
utimesSync(built, now, now);
