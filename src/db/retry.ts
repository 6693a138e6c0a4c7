import type { AppLogger } from '../logger';

// SQLSTATEs worth another try: serialization failure, deadlock, too many connections,
// the server shutting down or starting up, and every connection exception (class 08).
const TRANSIENT_CODES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03']);
const TRANSIENT_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/,
  /Client has encountered a connection error/i,
  // A prepared statement made stale by a migration (a rolling deploy): the connection that held
  // it is dropped on release, so the next try prepares it afresh (see PreparingPool).
  /cached plan must not change result type/i,
];

/** Whether a database error may go away if the same work is tried again. */
export function isTransientDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** Delay before the second try; doubles each time, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger: AppLogger;
  /** What is being done, for the log (no user content). */
  what: string;
  isTransient?: (error: unknown) => boolean;
}

/**
 * Runs `work` again after a transient failure, backing off. Used where Slack already got its
 * 200 (events are acknowledged before listeners run), so giving up would lose the user's action.
 */
export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 50;
  const max = options.maxDelayMs ?? 2_000;
  const transient = options.isTransient ?? isTransientDbError;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !transient(error)) {
        options.logger.error(`${options.what} failed after ${attempt} attempt(s)`, error);
        throw error;
      }
      const delay = Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      options.logger.warn(
        `${options.what} failed (attempt ${attempt} of ${attempts}); retrying in ${Math.round(delay)} ms`,
        error instanceof Error ? error.message : error,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
