import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import type { HTTPReceiver } from '@slack/bolt';
import { withLogContext, type AppLogger } from '../logger';
import { ackSeconds } from '../metrics';
import { classifyBody, type Envelope } from './envelopes';

/** Slack's limit: a request signed further than this from now, either way, is refused. */
export const TIMESTAMP_WINDOW_S = 5 * 60;
const FORM = 'application/x-www-form-urlencoded';

export interface RequestGuardOptions {
  readonly signingSecret: string;
  readonly logger: AppLogger;
  readonly endpoint?: string;
  readonly bodyLimit?: number;
  /**
   * A command or interaction nobody acknowledged by then is answered 200 by the guard, so Slack
   * gets its answer within 3 s (Bolt's own fallback answers 404 after 3.001 s). Events are left
   * to their listeners: one may refuse an event on purpose so that Slack delivers it again.
   */
  readonly ackDeadlineMs?: number;
  readonly nowMs?: () => number;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts a guard in front of Bolt's HTTP receiver: it verifies Slack's v0 signature and the
 * timestamp window itself, parses the body and checks its envelope's shape before Bolt sees it.
 * Bolt dereferences bodies outside any listener (a signed `null` body used to kill the process;
 * an `event` of null ended in a 500), so anything that is not a Slack envelope stops here with
 * a 4xx, logged once, without its content.
 */
export function guardRequests(receiver: HTTPReceiver, options: RequestGuardOptions): void {
  const inner: Listener = receiver.requestListener;
  const endpoint = options.endpoint ?? '/slack/events';
  receiver.requestListener = (req, res) => {
    // Matched as Bolt's receiver matches it: whatever Bolt would handle as an event passes the guard.
    if (req.method?.toUpperCase() !== 'POST' || pathOf(req) !== endpoint) return inner(req, res);
    guard(req, res, inner, options).catch((error: unknown) => {
      options.logger.error('the request guard failed', error);
      answer(res, 400);
    });
  };
}

function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

async function guard(req: IncomingMessage, res: ServerResponse, inner: Listener, options: RequestGuardOptions) {
  const log = options.logger;
  const arrived = performance.now();
  const raw = await readBody(req, options.bodyLimit ?? 4 * 1024 * 1024);
  if (raw === 'too_large') {
    log.warn('refused a request whose body is over the size limit');
    return answer(res, 413);
  }
  const media = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const form = media === FORM ? parseForm(raw.toString('utf8')) : undefined;
  // Slack's SSL check is unsigned and carries nothing to act on.
  if (form?.ssl_check === '1') return answer(res, 200);

  const refusal = verifySignature(req.headers, raw, options.signingSecret, options.nowMs?.() ?? Date.now());
  if (refusal) {
    log.warn(`refused a request: ${refusal}`);
    return answer(res, 401);
  }

  const envelope = classifyBody(form, parseJson(form ? form.payload : raw.toString('utf8')));
  switch (envelope.kind) {
    case 'invalid':
      log.warn(`refused a signed request that is not a Slack envelope (${envelope.reason})`);
      return answer(res, 400);
    case 'notice':
      // Bolt would route these to no listener and leave them unanswered.
      if (envelope.type === 'app_rate_limited') log.warn('Slack is rate-limiting the events sent to this app');
      else log.info(`acknowledged a ${envelope.type} notice from Slack`);
      return answer(res, 200);
    case 'ssl_check':
      return answer(res, 200);
    case 'interaction':
      // SlackRoutes attaches no view_closed listener (the bot asks for no close notices), so Bolt
      // would leave these unanswered until its timeout. Options requests (block_suggestion) go to
      // Bolt: SlackRoutes answers each, with an empty list when no feature serves that select.
      if (envelope.type === 'view_closed') return answer(res, 200);
      break;
    default:
      break;
  }

  // Bolt compares the content type exactly; hand it the bare media type and the body read here.
  if (form) req.headers['content-type'] = FORM;
  Object.assign(req, { rawBody: raw });
  // Over HTTP the response is the ack.
  res.once('finish', () => ackSeconds.observe({ kind: envelope.kind }, (performance.now() - arrived) / 1000));
  if (envelope.kind === 'command' || envelope.kind === 'interaction') {
    answerIfUnacknowledged(res, envelope, options);
  }
  const id = 'id' in envelope ? envelope.id : undefined;
  withLogContext(id ? { req: id } : {}, () => inner(req, res));
}

/** Why the request is not Slack's, or undefined when its signature and timestamp hold. */
export function verifySignature(
  headers: IncomingHttpHeaders,
  raw: Buffer,
  secret: string,
  nowMs: number,
): string | undefined {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'no signature';
  if (!/^[0-9]{1,12}$/.test(timestamp)) return 'malformed timestamp';
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > TIMESTAMP_WINDOW_S) {
    return 'timestamp more than 5 minutes away';
  }
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
  return undefined;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even past the limit (keeping nothing), so the 413 can still be answered.
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limit) chunks.push(buffer);
  }
  return size > limit ? 'too_large' : Buffer.concat(chunks);
}

function answerIfUnacknowledged(res: ServerResponse, envelope: Envelope, options: RequestGuardOptions): void {
  const timer = setTimeout(() => {
    if (res.headersSent) return;
    options.logger.warn(`a ${envelope.kind} was not acknowledged in time; answered empty`);
    answer(res, 200);
  }, options.ackDeadlineMs ?? 2_800);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}

function answer(res: ServerResponse, status: number, body = ''): void {
  if (res.headersSent) return;
  res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
  res.end(body);
}
