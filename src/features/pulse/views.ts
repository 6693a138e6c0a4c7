import type { KnownBlock, ModalView } from '@slack/types';
import { actions, button, context, section } from '../../slack/blocks';
import { SCORE_LABELS, STATEMENTS, type Statement } from './rules';

export const ACTION_OPEN = 'pulse:open';
export const CALLBACK_ANSWER = 'pulse:answer';

const closesText = (closesAt: Date) =>
  `<!date^${Math.floor(closesAt.getTime() / 1000)}^{date_short_pretty} at {time}|${closesAt.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

/** The pulse DM each member gets. */
export function pulseDm(pulseId: number, channelId: string, closesAt: Date, threshold: number) {
  const text = `Trust pulse for <#${channelId}>: two statements to rate from 1 to 5, anonymously.`;
  const blocks: KnownBlock[] = [
    section(
      `:seedling: *Trust pulse for <#${channelId}>*\nHow true are these for you, from 1 (not at all) to 5 (fully)?`,
    ),
    section(`• ${STATEMENTS.struggles}\n• ${STATEMENTS.voice}`),
    actions('pulse:answer', button('Answer the pulse', ACTION_OPEN, String(pulseId), 'primary')),
    context(
      `Anonymous: only counts of each score are kept, never who gave which. Nobody, coordinators included, ` +
        `can see who answered. Results show after it closes (${closesText(closesAt)}), and only if at least ${threshold} members answered.`,
    ),
  ];
  return { text, blocks };
}

export const THANKS_TEXT = 'Thanks, your answer is counted anonymously.';

/** What the pulse DM becomes once answered: no scores, here or anywhere. */
export function thanksDm(channelId: string) {
  return {
    text: THANKS_TEXT,
    blocks: [
      section(`:seedling: *Trust pulse for <#${channelId}>*\n${THANKS_TEXT}`),
      context('Your scores were added to the counts and are not kept with your name, nor shown back here.'),
    ] as KnownBlock[],
  };
}

function scoreInput(statement: Statement): KnownBlock {
  return {
    type: 'input',
    block_id: statement,
    label: { type: 'plain_text', text: STATEMENTS[statement] },
    element: {
      type: 'radio_buttons',
      action_id: statement,
      options: SCORE_LABELS.map((label, i) => ({
        text: { type: 'plain_text', text: label },
        value: String(i + 1),
      })),
    },
  };
}

export function answerModal(pulseId: number, threshold: number): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK_ANSWER,
    private_metadata: JSON.stringify({ pulseId }),
    title: { type: 'plain_text', text: 'Trust pulse' },
    submit: { type: 'plain_text', text: 'Send anonymously' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section('How true is each statement for you, from 1 (not at all) to 5 (fully)?'),
      scoreInput('struggles'),
      scoreInput('voice'),
      context(
        `Only the counts of each score are kept; nothing links your answer to you. ` +
          `Results show only if at least ${threshold} members answered. You can answer once.`,
      ),
    ],
  };
}

export const PULSE_TEXTS = {
  gone: 'That pulse no longer exists.',
  closed: 'That pulse has closed; answers are no longer taken.',
  answered: 'You have already answered this pulse; each member’s answer counts once.',
  pick: 'Pick a score from 1 to 5.',
  usage:
    '`/cop pulse` starts an anonymous trust pulse now. `/cop pulse monthly on|off` sets the monthly pulse; ' +
    '`/cop pulse threshold <n>` raises how many answers results need (never below 3).',
} as const;
