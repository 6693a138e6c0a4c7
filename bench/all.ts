/**
 * `npm run bench [-- options of bench/run.ts]`: the norms bench (bench/run.ts) with the given
 * options, then the bot as a process (bench/embedded.ts: embedded PostgreSQL starts, memory, a
 * 256 MB cgroup, a 15 s /cop norms burst), then the reminder fan-out bench (bench/reminders.ts)
 * and the health chart bench (bench/health.ts) with their defaults. Exits non-zero if any did
 * (run.ts only does on a missed goal with --strict).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [join(__dirname, script), ...args], { stdio: 'inherit' }).status ?? 1;

const norms = run('run.js', process.argv.slice(2));
console.log('');
const processes = run('embedded.js', process.argv.includes('--strict') ? ['--strict'] : []);
console.log('');
const reminders = run('reminders.js', []);
console.log('');
const health = run('health.js', []);
process.exit(norms || processes || reminders || health);
