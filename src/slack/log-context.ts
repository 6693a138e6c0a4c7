import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { withLogContext } from '../logger';

/**
 * Bolt global middleware: every line logged while a request is handled (after its ack too)
 * carries Slack's id for it, the event_id or trigger_id, in either mode.
 */
export const logRequestId: Middleware<AnyMiddlewareArgs> = ({ body, next }) => {
  const fields = body as { event_id?: unknown; trigger_id?: unknown };
  const id = typeof fields.event_id === 'string' ? fields.event_id : fields.trigger_id;
  return typeof id === 'string' ? withLogContext({ req: id }, next) : next();
};
