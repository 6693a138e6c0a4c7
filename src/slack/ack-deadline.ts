import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewResponseAction } from '@slack/bolt';

/**
 * Slack gives a modal submission 3 seconds to be acknowledged, network included. Past this, a
 * submission still waiting on its checks (a slow database, say) is answered with an error on
 * the form, and the late listener is stopped at its own ack so it cannot act after all.
 */
export const ACK_DEADLINE_MS = 2500;
export const TOO_SLOW_TO_CHECK = 'This took too long to check, so nothing was saved. Please submit again.';

/** Thrown at a listener's ack once the deadline has answered for it. */
class LateAck extends Error {
  constructor() {
    super('the submission was already answered: too slow to check');
  }
}

type Ack = (response?: ViewResponseAction) => Promise<void>;
type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/**
 * Wraps a view_submission listener so its ack always comes within the deadline. `blockId` is
 * an input block of the view, where the error shows (Slack refuses errors for unknown blocks).
 * Work that must not happen unless the submission is accepted belongs after the listener's ack.
 */
export function ackInTime(
  blockId: string,
  listener: (args: ViewArgs) => Promise<void>,
  deadlineMs = ACK_DEADLINE_MS,
): (args: ViewArgs) => Promise<void> {
  return async (args) => {
    // A submission's ack takes a response action (Bolt types the closed-view case alongside).
    const slackAck = args.ack as Ack;
    let state: 'waiting' | 'acked' | 'expired' = 'waiting';
    const timer = setTimeout(() => {
      if (state !== 'waiting') return;
      state = 'expired';
      slackAck({ response_action: 'errors', errors: { [blockId]: TOO_SLOW_TO_CHECK } }).catch(() => undefined);
    }, deadlineMs);
    const ack: Ack = async (response) => {
      if (state === 'expired') throw new LateAck();
      state = 'acked';
      clearTimeout(timer);
      await slackAck(response);
    };
    try {
      await listener({ ...args, ack: ack as ViewArgs['ack'] });
    } catch (error) {
      if (!(error instanceof LateAck)) throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
