import { LogLevel, type Logger } from '@slack/logger';
import type { LogLevelName } from './config';

const ORDER: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 10,
  [LogLevel.INFO]: 20,
  [LogLevel.WARN]: 30,
  [LogLevel.ERROR]: 40,
};

// Tokens and signing secrets must never reach a log line, whoever formats the message.
const SECRET_PATTERNS: RegExp[] = [/\bxox[a-z]-[A-Za-z0-9-]+/g, /\bxapp-[A-Za-z0-9-]+/g];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

function format(arg: unknown): string {
  if (arg instanceof Error) return arg.stack ?? `${arg.name}: ${arg.message}`;
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}

export type LogSink = (line: string) => void;

/** A small leveled logger that also serves as Bolt's and the Web API client's logger. */
export class AppLogger implements Logger {
  private level: LogLevel;
  private name = 'cop-bot';

  constructor(
    level: LogLevelName | LogLevel = 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.level = level as LogLevel;
  }

  debug(...msg: unknown[]): void {
    this.write(LogLevel.DEBUG, msg);
  }
  info(...msg: unknown[]): void {
    this.write(LogLevel.INFO, msg);
  }
  warn(...msg: unknown[]): void {
    this.write(LogLevel.WARN, msg);
  }
  error(...msg: unknown[]): void {
    this.write(LogLevel.ERROR, msg);
  }
  setLevel(level: LogLevel): void {
    this.level = level;
  }
  getLevel(): LogLevel {
    return this.level;
  }
  setName(name: string): void {
    this.name = name;
  }
  child(name: string): AppLogger {
    const child = new AppLogger(this.level, this.sink);
    child.setName(name);
    return child;
  }

  private write(level: LogLevel, msg: unknown[]): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const text = redact(msg.map(format).join(' '));
    this.sink(`${new Date().toISOString()} ${level.toUpperCase()} [${this.name}] ${text}`);
  }
}
