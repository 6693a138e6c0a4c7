import type { AppLogger } from './logger';

/**
 * The last resort: a rejection or exception nothing else caught is logged with what it was,
 * instead of killing the process silently (Node's default) mid-way through other people's
 * requests. The request it came from has had its answer or times out on Slack's side; the
 * database keeps each write whole, so the process stays consistent and keeps serving.
 */
export function keepServingOnUnexpectedErrors(logger: AppLogger, target: NodeJS.EventEmitter = process): void {
  const log = logger.child('last-resort');
  target.on('unhandledRejection', (reason: unknown) => {
    log.error('an unhandled promise rejection (the process keeps serving)', describe(reason));
  });
  target.on('uncaughtException', (error: unknown, origin: unknown) => {
    log.error(`an uncaught exception (${String(origin)}; the process keeps serving)`, describe(error));
  });
}

function describe(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(`non-Error value of type ${typeof reason}`);
}
