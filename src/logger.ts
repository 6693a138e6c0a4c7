import { AsyncLocalStorage } from 'node:async_hooks';
import { LogLevel, type Logger } from '@slack/logger';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { LogLevelName } from './config';

// Tokens, signing secrets and authors' capability tokens must never reach a log line, whoever
// formats the message.
const SECRET_PATTERNS: RegExp[] = [
  /\bxox[a-z]-[A-Za-z0-9-]+/g,
  /\bxapp-[A-Za-z0-9-]+/g,
  /\bs1\.[0-9]{1,10}\.[A-Za-z0-9_-]{43}/g,
];

// At debug level the Web API client writes every request body and result (a DM to an anonymous
// author, its text, the capability in its buttons). Only their shape is kept.
const WEB_API_DUMP = /^http request (body|result|headers): ([\s\S]*)$/;

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

function scrubWebApiDump(text: string): string {
  const dump = WEB_API_DUMP.exec(text);
  if (!dump) return text;
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(dump[2]!);
    if (parsed && typeof parsed === 'object') fields = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: keep nothing of it.
  }
  if (dump[1] === 'result') {
    const error = typeof fields.error === 'string' ? ` error=${fields.error}` : '';
    return `http request result: ok=${String(fields.ok)}${error} (content not logged)`;
  }
  return `http request ${dump[1]}: fields ${Object.keys(fields).join(', ') || 'none'} (content not logged)`;
}

function format(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.message;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

function serializeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: redact(error.message),
    stack: error.stack ? redact(error.stack) : undefined,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** What a log line says about the request being handled (Slack's event_id, trigger_id or envelope id). */
export interface LogContext {
  readonly req?: string;
}
const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `ctx` on every line it logs, including after awaits. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...ctx }, fn);
}

export type LogSink = (line: string) => void;

/** Pretty lines for a person at a terminal, when pino-pretty is installed (a devDependency). */
function prettyStream(): DestinationStream | undefined {
  try {
    // Optional at run time: the production image installs no devDependencies and logs JSON.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

function destinationFor(sink: LogSink | undefined): DestinationStream {
  if (sink) return { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) };
  if (process.stdout.isTTY) {
    const pretty = prettyStream();
    if (pretty) return pretty;
  }
  // Synchronous, so the last lines before a crash are not lost in a buffer.
  return pino.destination({ dest: 1, sync: true });
}

function createRoot(level: string, sink: LogSink | undefined): Pino {
  return pino(
    {
      level,
      // Children name their part of the bot (`"name":"bolt"`); pid and hostname tell replicas apart.
      serializers: { err: (value: unknown) => value },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Upper-case names (`"level":"WARN"`), which people and log shippers read without a table.
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      mixin: () => {
        const store = context.getStore();
        return store?.req ? { req: store.req } : {};
      },
    },
    destinationFor(sink),
  );
}

/**
 * The bot's logger: one JSON line per message through pino (pretty on a terminal), with the
 * logger's name and the request it belongs to. It is also Bolt's and the Web API client's
 * logger (@slack/logger's interface), so their lines come out the same way.
 */
export class AppLogger implements Logger {
  private readonly pino: Pino;

  constructor(level: LogLevelName | LogLevel = 'info', sink?: LogSink, parent?: Pino) {
    this.pino = parent ?? createRoot(level, sink);
  }

  debug(...msg: unknown[]): void {
    this.write('debug', msg);
  }
  info(...msg: unknown[]): void {
    this.write('info', msg);
  }
  warn(...msg: unknown[]): void {
    this.write('warn', msg);
  }
  error(...msg: unknown[]): void {
    this.write('error', msg);
  }
  setLevel(level: LogLevel): void {
    this.pino.level = level;
  }
  getLevel(): LogLevel {
    return this.pino.level as LogLevel;
  }
  setName(name: string): void {
    this.pino.setBindings({ name });
  }
  child(name: string): AppLogger {
    return new AppLogger(undefined, undefined, this.pino.child({ name }));
  }

  private write(level: 'debug' | 'info' | 'warn' | 'error', msg: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const error = msg.find((m): m is Error => m instanceof Error);
    const text = redact(scrubWebApiDump(msg.map(format).join(' ')));
    if (error) this.pino[level]({ err: serializeError(error) }, text);
    else this.pino[level](text);
  }
}
