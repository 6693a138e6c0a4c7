import type { AnyBlock, InputBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Cop } from '../../db/schema';
import { section } from '../../slack/blocks';
import { truncate } from '../../slack/text';
import { CALLBACK, FIELD, LIMITS } from './ids';
import { REVIEW_MONTHS } from './reviews-rules';

export interface ProposalPrefill {
  kind: 'change' | 'retire';
  normId: number;
  title: string;
  body: string;
}

const isInput = (block: AnyBlock): block is InputBlock => block.type === 'input';

/** Selects `value` in an input's radio buttons or select, if it offers it. */
function withOption(block: InputBlock, value: string): InputBlock {
  const element = block.element;
  if (element.type !== 'radio_buttons' && element.type !== 'static_select') return block;
  const options = (element.options ?? []) as PlainTextOption[];
  const chosen = options.find((o) => o.value === value);
  return chosen ? { ...block, element: { ...element, initial_option: chosen } } : block;
}

function withText(block: InputBlock, text: string): InputBlock {
  const element = block.element;
  if (element.type !== 'plain_text_input' || !text) return block;
  return { ...block, element: { ...element, initial_value: truncate(text, element.max_length ?? LIMITS.body) } };
}

/**
 * The existing proposal modal, prefilled from a review's "Propose a change" / "Propose retiring
 * it": the kind and the norm chosen, its title (and, for a change, its text) to edit.
 */
export function prefillProposal(view: ModalView, fill: ProposalPrefill): ModalView {
  const blocks = view.blocks.map((block: AnyBlock): AnyBlock => {
    if (!isInput(block)) return block;
    switch (block.block_id) {
      case FIELD.kind:
        return withOption(block, fill.kind);
      case FIELD.norm:
        return withOption(block, String(fill.normId));
      case FIELD.title:
        return withText(block, fill.title);
      case FIELD.body:
        return fill.kind === 'change' ? withText(block, fill.body) : block;
      default:
        return block;
    }
  });
  return { ...view, blocks };
}

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
