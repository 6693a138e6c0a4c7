import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { builtMain } from '../support/build';

const BOT_TOKEN = 'xoxb-1234-5678-s3cr3tbotTOKEN';
const SIGNING_SECRET = 's3cr3tsigningSECRET0123456789';
const APP_TOKEN = 'xapp-1-A0001-s3cr3tappTOKEN';

/** loadConfig's error for `env`, asserting it is a ConfigError. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig', () => {
  it('HTTP mode with the two required variables; everything else defaults as SPEC.md says', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(config).toEqual({
      slackBotToken: BOT_TOKEN,
      slackSigningSecret: SIGNING_SECRET,
      slackAppToken: undefined,
      slackApiUrl: 'https://slack.com/api/',
      port: 3000,
      databaseUrl: undefined,
      dataDir: './data',
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable, treating empty ones as unset', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: '',
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      PORT: '8080',
      DATABASE_URL: 'postgresql://cop@db:5432/cop',
      COP_DATA_DIR: '/var/lib/cop',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config).toMatchObject({
      slackSigningSecret: undefined,
      slackAppToken: APP_TOKEN,
      // The Web API client joins method names onto the base, so it gains a trailing slash.
      slackApiUrl: 'http://127.0.0.1:9999/api/',
      port: 8080,
      databaseUrl: 'postgresql://cop@db:5432/cop',
      dataDir: '/var/lib/cop',
      logLevel: 'debug',
    });
  });

  it('Socket Mode (SLACK_APP_TOKEN set) does not need a signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN });
    expect(config.slackAppToken).toBe(APP_TOKEN);
    expect(config.slackSigningSecret).toBeUndefined();
  });

  it.each<[string, NodeJS.ProcessEnv, string, RegExp]>([
    ['missing bot token', { SLACK_SIGNING_SECRET: SIGNING_SECRET }, 'SLACK_BOT_TOKEN', /is required/],
    ['empty bot token', { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: SIGNING_SECRET }, 'SLACK_BOT_TOKEN', /xoxb-/],
    [
      'a user token where the bot token goes',
      { SLACK_BOT_TOKEN: 'xoxp-s3cr3tuserTOKEN', SLACK_SIGNING_SECRET: SIGNING_SECRET },
      'SLACK_BOT_TOKEN',
      /must be a bot token starting with xoxb-/,
    ],
    ['HTTP mode without signing secret', { SLACK_BOT_TOKEN: BOT_TOKEN }, 'SLACK_SIGNING_SECRET', /HTTP mode/],
    [
      'a bot token where the app token goes',
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xoxb-s3cr3twrongKIND' },
      'SLACK_APP_TOKEN',
      /xapp-/,
    ],
    [
      'PORT not a number',
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: 'eighty' },
      'PORT',
      /port number/,
    ],
    [
      'PORT out of range',
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '70000' },
      'PORT',
      /between 0 and 65535/,
    ],
    [
      'PORT not whole',
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '80.5' },
      'PORT',
      /whole number/,
    ],
    [
      'LOG_LEVEL unknown',
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, LOG_LEVEL: 'verbose' },
      'LOG_LEVEL',
      /one of debug, info, warn, error/,
    ],
    [
      'DATABASE_URL not postgres',
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        DATABASE_URL: 'mysql://root:s3cr3tdbPASSWORD@db/cop',
      },
      'DATABASE_URL',
      /postgres:\/\//,
    ],
    [
      'SLACK_API_URL not http(s)',
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: 'ftp://slack.example/api' },
      'SLACK_API_URL',
      /http\(s\) URL/,
    ],
  ])('%s: one message naming the variable, never its value', (_case, env, variable, detail) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect(error.message).toMatch(detail);
    expect(error.message).not.toContain('\n');
    // No secret (nor any value given) is echoed back.
    expect(error.message).not.toMatch(/s3cr3t/);
    for (const value of Object.values(env)) if (value) expect(error.message).not.toContain(value);
  });
});

describe('node dist/src/main.js with a bad environment', () => {
  let cwd: string;
  beforeAll(() => {
    // An empty working directory, so a developer's .env is not read.
    cwd = mkdtempSync(join(tmpdir(), 'cop-config-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  function run(env: Record<string, string>) {
    return spawnSync(process.execPath, [builtMain()], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 15_000,
    });
  }

  it('exits non-zero printing one line that names the missing variable', () => {
    const result = run({ SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['Configuration error: SLACK_BOT_TOKEN is required']);
  });

  it('names a malformed variable without printing the secret in it', () => {
    const result = run({ SLACK_BOT_TOKEN: 's3cr3tnotAtoken', SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('SLACK_BOT_TOKEN');
    expect(result.stderr + result.stdout).not.toMatch(/s3cr3t/);
  });
});
