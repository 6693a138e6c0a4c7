import type { ModalView } from '@slack/types';
import type { Cop } from '../../db/schema';
import { section } from '../../slack/blocks';
import { CALLBACK, FIELD } from './ids';
import { REVIEW_MONTHS } from './reviews-rules';

/** The coordinators' modal to change how often norms come up for review. */
export function rhythmModal(cop: Cop): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.rhythm,
    title: { type: 'plain_text', text: 'Review rhythm' },
    submit: { type: 'plain_text', text: 'Save rhythm' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ copId: cop.id }),
    blocks: [
      section(
        'Each adopted norm comes up for review this many months after its adoption or its last review ("Still how we work?"). The new rhythm applies to every norm’s next review.',
      ),
      {
        type: 'input',
        block_id: FIELD.reviewMonths,
        label: { type: 'plain_text', text: `Months between reviews (${REVIEW_MONTHS.min} to ${REVIEW_MONTHS.max})` },
        element: {
          type: 'number_input',
          action_id: FIELD.reviewMonths,
          is_decimal_allowed: false,
          min_value: String(REVIEW_MONTHS.min),
          max_value: String(REVIEW_MONTHS.max),
          initial_value: String(cop.review_months),
        },
      },
    ],
  };
}
