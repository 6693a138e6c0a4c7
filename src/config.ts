import { z } from 'zod';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const schema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'is required' })
      .regex(/^xoxb-/, { error: 'must be a bot token starting with xoxb-' }),
    SLACK_SIGNING_SECRET: z.preprocess(emptyAsUndefined, z.string().min(1, { error: 'must not be empty' }).optional()),
    SLACK_APP_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^xapp-/, { error: 'must be an app-level token starting with xapp-' })
        .optional(),
    ),
    SLACK_API_URL: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
        .default('https://slack.com/api/')
        // The Web API client joins method names onto this base, so it must end in a slash.
        .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
    ),
    PORT: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ error: 'must be a port number' })
        .int({ error: 'must be a whole number' })
        .min(0, { error: 'must be between 0 and 65535' })
        .max(65535, { error: 'must be between 0 and 65535' })
        .default(3000),
    ),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// connection string' })
        .optional(),
    ),
    COP_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
    COP_CAPABILITY_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    COP_CAPABILITY_SECRET_PREVIOUS: z.preprocess(emptyAsUndefined, z.string().optional()),
    LOG_LEVEL: z.preprocess(
      (value) => (typeof value === 'string' ? value.trim().toLowerCase() || undefined : value),
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    ),
  })
  .superRefine((env, ctx) => {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required in HTTP mode (set it, or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
  });

export interface Config {
  readonly slackBotToken: string;
  readonly slackSigningSecret: string | undefined;
  readonly slackAppToken: string | undefined;
  readonly slackApiUrl: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Signs anonymous authors' follow-up capabilities; unset: generated (embedded) or derived (see capability-secret.ts). */
  readonly capabilitySecret: string | undefined;
  /** The key before a rotation, still accepted when verifying. */
  readonly capabilitySecretPrevious: string | undefined;
  readonly logLevel: LogLevelName;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Configuration error: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // Never echo the value: it may be a secret.
    const detail = issue.code === 'invalid_type' && env[variable] === undefined ? 'is required' : issue.message;
    throw new ConfigError(variable, detail);
  }
  const e = parsed.data;
  return Object.freeze({
    slackBotToken: e.SLACK_BOT_TOKEN,
    slackSigningSecret: e.SLACK_SIGNING_SECRET,
    slackAppToken: e.SLACK_APP_TOKEN,
    slackApiUrl: e.SLACK_API_URL,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.COP_DATA_DIR,
    capabilitySecret: e.COP_CAPABILITY_SECRET,
    capabilitySecretPrevious: e.COP_CAPABILITY_SECRET_PREVIOUS,
    logLevel: e.LOG_LEVEL,
  });
}
