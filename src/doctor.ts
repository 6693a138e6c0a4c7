import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig, type Config } from './config';
import { openPostgres } from './db/database';
import { pendingMigrations } from './db/migrate';

/** One line of the checklist: what was checked, whether it holds, and how to fix it if not. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

interface SlackAnswer {
  body: Record<string, unknown>;
  scopes: string[] | undefined;
}

async function callSlack(config: Config, method: string, token: string): Promise<SlackAnswer> {
  const response = await fetch(`${config.slackApiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }))) as Record<
    string,
    unknown
  >;
  const header = response.headers.get('x-oauth-scopes');
  return {
    body,
    scopes:
      header === null
        ? undefined
        : header
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
  };
}

/** The bot scopes manifest.yml asks for (found next to package.json, from the source or the build). */
export function manifestBotScopes(from: string = __dirname): string[] | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const file = join(dir, 'manifest.yml');
    if (existsSync(file)) {
      const manifest = parse(readFileSync(file, 'utf8')) as { oauth_config?: { scopes?: { bot?: string[] } } };
      return manifest.oauth_config?.scopes?.bot ?? [];
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function checkBotToken(config: Config, wanted: string[] | undefined): Promise<Check[]> {
  let answer: SlackAnswer;
  try {
    answer = await callSlack(config, 'auth.test', config.slackBotToken);
  } catch (error) {
    return [
      {
        name: 'Slack Web API reachable',
        ok: false,
        detail: `${config.slackApiUrl} did not answer (${error instanceof Error ? error.message : String(error)})`,
        fix: 'Check the network, a proxy, or SLACK_API_URL (default https://slack.com/api/).',
      },
    ];
  }
  if (answer.body.ok !== true) {
    return [
      {
        name: 'Bot token (auth.test)',
        ok: false,
        detail: `Slack refused the token: ${String(answer.body.error ?? 'unknown error')}`,
        fix: 'Copy the Bot User OAuth Token (xoxb-…) from your app’s "OAuth & Permissions" page into SLACK_BOT_TOKEN; if the app was uninstalled, install it to the workspace again.',
      },
    ];
  }
  const checks: Check[] = [
    {
      name: 'Bot token (auth.test)',
      ok: true,
      detail: `works for ${String(answer.body.team ?? 'the workspace')} as ${String(answer.body.user ?? 'the bot')}`,
    },
  ];
  if (!wanted) {
    checks.push({
      name: 'Scopes granted',
      ok: false,
      detail: 'manifest.yml was not found, so the scopes the bot needs are unknown',
      fix: 'Run the doctor from the bot’s folder (where manifest.yml is).',
    });
  } else if (!answer.scopes) {
    checks.push({
      name: 'Scopes granted',
      ok: false,
      detail: 'Slack did not say which scopes the token has (no x-oauth-scopes header)',
      fix: 'Check SLACK_API_URL points at Slack’s Web API, not a proxy that drops headers.',
    });
  } else {
    const missing = wanted.filter((scope) => !answer.scopes!.includes(scope));
    checks.push(
      missing.length === 0
        ? { name: 'Scopes granted', ok: true, detail: `all ${wanted.length} bot scopes of manifest.yml` }
        : {
            name: 'Scopes granted',
            ok: false,
            detail: `missing: ${missing.join(', ')}`,
            fix: `Add ${missing.join(', ')} under "OAuth & Permissions" → Bot Token Scopes (or paste manifest.yml into the app’s manifest), then reinstall the app to the workspace.`,
          },
    );
  }
  return checks;
}

async function checkConnection(config: Config): Promise<Check> {
  if (!config.slackAppToken) {
    return {
      name: 'HTTP mode',
      ok: true,
      detail: 'SLACK_SIGNING_SECRET is set; Slack must send requests to https://<your host>/slack/events',
    };
  }
  try {
    const answer = await callSlack(config, 'apps.connections.open', config.slackAppToken);
    if (answer.body.ok === true)
      return { name: 'Socket Mode (apps.connections.open)', ok: true, detail: 'a socket URL was granted' };
    return {
      name: 'Socket Mode (apps.connections.open)',
      ok: false,
      detail: `Slack refused the app-level token: ${String(answer.body.error ?? 'unknown error')}`,
      fix: 'Turn Socket Mode on under "Socket Mode", then under "Basic Information" → App-Level Tokens create one with connections:write and put it (xapp-…) in SLACK_APP_TOKEN.',
    };
  } catch (error) {
    return {
      name: 'Socket Mode (apps.connections.open)',
      ok: false,
      detail: `Slack did not answer (${error instanceof Error ? error.message : String(error)})`,
      fix: 'Check the network or SLACK_API_URL.',
    };
  }
}

async function checkDatabase(config: Config): Promise<Check[]> {
  if (!config.databaseUrl) {
    try {
      mkdirSync(config.dataDir, { recursive: true });
      accessSync(config.dataDir, constants.W_OK);
      return [
        {
          name: 'Embedded database',
          ok: true,
          detail: `its data goes in ${resolve(config.dataDir)} (writable); it starts, and migrates, with the bot`,
        },
      ];
    } catch {
      return [
        {
          name: 'Embedded database',
          ok: false,
          detail: `${resolve(config.dataDir)} cannot be written`,
          fix: 'Point COP_DATA_DIR at a folder the bot’s user can write (a volume, in a container).',
        },
      ];
    }
  }
  const database = openPostgres(config.databaseUrl, { max: 1 });
  try {
    if (!(await database.ping())) {
      return [
        {
          name: 'Database reachable',
          ok: false,
          detail: 'PostgreSQL at DATABASE_URL does not answer',
          fix: 'Check DATABASE_URL (host, port, user, password, database name) and that PostgreSQL is running and reachable from here.',
        },
      ];
    }
    const pending = await pendingMigrations(database.db);
    return [
      { name: 'Database reachable', ok: true, detail: 'PostgreSQL answers' },
      pending.length === 0
        ? { name: 'Migrations', ok: true, detail: 'the schema is up to date' }
        : {
            name: 'Migrations',
            ok: false,
            detail: `not run yet: ${pending.join(', ')}`,
            fix: 'Run `npm run migrate` (the bot also migrates when it starts).',
          },
    ];
  } catch (error) {
    return [
      {
        name: 'Database reachable',
        ok: false,
        detail: `the database refused: ${error instanceof Error ? error.message : String(error)}`,
        fix: 'Check DATABASE_URL’s user, password and database name.',
      },
    ];
  } finally {
    await database.close();
  }
}

/** Runs every check; a configuration error stops the rest (they need the configuration). */
export async function runChecks(env: NodeJS.ProcessEnv, manifestFrom?: string): Promise<Check[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      {
        name: 'Configuration',
        ok: false,
        detail: error.message,
        fix: `Set ${error.variable} (in the environment or a .env file); README.md's Configuration lists every variable.`,
      },
    ];
  }
  const checks: Check[] = [{ name: 'Configuration', ok: true, detail: 'every variable is valid' }];
  checks.push(...(await checkBotToken(config, manifestBotScopes(manifestFrom))));
  checks.push(await checkConnection(config));
  checks.push(...(await checkDatabase(config)));
  return checks;
}

/** The checklist as printed. */
export function formatChecks(checks: readonly Check[]): string {
  const lines = checks.flatMap((c) => [
    `${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}`,
    ...(c.ok || !c.fix ? [] : [`    fix: ${c.fix}`]),
  ]);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  return lines.join('\n');
}
