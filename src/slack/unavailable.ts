import type { ModalView } from '@slack/types';
import { isTransientDbError } from '../db/retry';
import { section } from './blocks';

/** What a command or click is told while the database cannot be reached. */
export const TRY_AGAIN_SHORTLY =
  'I can’t reach my database right now, so nothing was changed. Please try again in a minute.';

/** Whether the failure is the database being away (restart, failover, connections killed). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return (
    isTransientDbError(error) || /timeout exceeded when trying to connect|Connection terminated/i.test(String(error))
  );
}

/** Pushed over a form whose submission met the database away: closing it brings the form back, input kept. */
export function unavailableModal(): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Not saved' },
    close: { type: 'plain_text', text: 'Back to the form' },
    blocks: [section(TRY_AGAIN_SHORTLY)],
  };
}
