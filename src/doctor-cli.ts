import 'dotenv/config';
import { formatChecks, runChecks } from './doctor';

/** `npm run doctor`: the checklist, exit code 1 when anything fails. */
runChecks(process.env)
  .then((checks) => {
    process.stdout.write(`${formatChecks(checks)}\n`);
    process.exit(checks.every((c) => c.ok) ? 0 : 1);
  })
  .catch((error: unknown) => {
    console.error('The doctor itself failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
