import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewResponseAction, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import type { ModalView } from '@slack/types';
import { section } from './blocks';
import type { SlackRoutes } from './routes';

/**
 * Slack shows the user an error if a view submission is not acknowledged within 3 s. Our
 * listeners validate against the database before acking (to show errors in the form), so a
 * hung database would blow that budget; the guard answers first, with time to spare.
 */
export const SUBMISSION_DEADLINE_MS = 2500;

export const BUSY_TEXT = 'The CoP bot is busy right now; nothing was saved. Close this and submit again.';

/** Pushed over the user's form, so closing it brings the form back with their input. */
export function busyModal(): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Not saved' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(BUSY_TEXT)],
  };
}

/** Thrown by `ack` once the guard has answered: the rest of the listener must not run. */
export class SubmissionAbandoned extends Error {
  constructor() {
    super('the submission missed its deadline and was answered as busy; its work is abandoned');
    this.name = 'SubmissionAbandoned';
  }
}

type AckArg = ViewResponseAction | undefined;

interface SubmissionArgs {
  // Bolt types view acks as a union (submission or close); both take this call.
  ack: (response?: never) => Promise<void>;
  logger: Logger;
  body: { view: { callback_id: string } };
}

/**
 * Wraps a view_submission listener that does I/O before it acks. If it has not acked within
 * `ms`, the guard acks by itself with a pushed "busy, nothing was saved" modal, lets Bolt finish
 * the request, and from then on the listener's own `ack` throws SubmissionAbandoned. Listeners
 * store and post only after their ack, so a late listener stops before writing anything.
 * A listener that acks in time runs exactly as it would unwrapped.
 */
export function withSubmissionDeadline<A extends SubmissionArgs>(
  listener: (args: A) => Promise<void>,
  ms: number = SUBMISSION_DEADLINE_MS,
): (args: A) => Promise<void> {
  return async (args) => {
    let state: 'waiting' | 'acked' | 'expired' = 'waiting';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => {
        if (state !== 'waiting') return;
        state = 'expired';
        resolve('expired');
      }, ms);
    });
    const ack = async (response?: AckArg): Promise<void> => {
      if (state === 'expired') throw new SubmissionAbandoned();
      state = 'acked';
      clearTimeout(timer);
      await (args.ack as (response?: AckArg) => Promise<void>)(response);
    };

    const work = listener({ ...args, ack: ack as A['ack'] });
    let first: 'done' | 'expired';
    try {
      first = await Promise.race([work.then(() => 'done' as const), expired]);
    } finally {
      if (state === 'waiting') clearTimeout(timer);
    }
    if (first === 'done') return;

    const callbackId = args.body.view.callback_id;
    args.logger.warn(`submission of ${callbackId} was not ready within ${ms} ms; told the user it was not saved`);
    work.then(
      () => args.logger.info(`the abandoned submission of ${callbackId} ended; nothing was stored`),
      (error: unknown) => {
        if (error instanceof SubmissionAbandoned) {
          args.logger.info(`the abandoned submission of ${callbackId} stopped before storing anything`);
        } else {
          args.logger.error(`the abandoned submission of ${callbackId} failed`, error);
        }
      },
    );
    await (args.ack as (response?: AckArg) => Promise<void>)({ response_action: 'push', view: busyModal() });
  };
}

export type SubmissionListener = (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => Promise<void>;

/**
 * `routes.view(callbackId, listener)` under the deadline guard; written as one call so a listener
 * keeps its shape (and its indentation) when it gains the guard.
 */
export function onViewSubmission(routes: SlackRoutes, callbackId: string, listener: SubmissionListener): void {
  routes.view(callbackId, withSubmissionDeadline(listener));
}
