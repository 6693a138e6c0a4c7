import type { KnownBlock, ModalView } from '@slack/types';
import { actions, button, context, section } from '../../slack/blocks';
import { channelLink, mention, quote } from '../../slack/text';
import { safeText } from './rules';
import { IDS, linkTo, plain, progressView } from './views';

export function reportModal(target: 'post' | 'reply', id: number): ModalView {
  return {
    type: 'modal',
    callback_id: IDS.reportSubmit,
    private_metadata: JSON.stringify({ target, id }),
    title: plain('Report to coordinators'),
    submit: plain('Send report'),
    close: plain('Cancel'),
    blocks: [
      section(
        `This sends the coordinators a private message with a link to the ${target === 'post' ? 'struggle' : 'reply'}.`,
      ),
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: plain('Why are you reporting it?'),
        element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 1000 },
      },
      context(':information_source: Reports are not anonymous: the coordinators will see that you sent it.'),
    ],
  };
}

export const reportSentView = (coordinators: number): ModalView =>
  progressView(
    'Report sent',
    `:white_check_mark: Sent to ${coordinators} coordinator${coordinators === 1 ? '' : 's'}. Thank you for looking out for the group.`,
  );

export function reportDm(input: {
  reporterId: string;
  target: { target: 'post' | 'reply'; id: number };
  permalink: string | null;
  channelId: string;
  reason: string;
}): { text: string; blocks: KnownBlock[] } {
  const what = input.target.target === 'post' ? 'an anonymous struggle' : 'an anonymous reply';
  const text = `${mention(input.reporterId)} reported ${what} in ${channelLink(input.channelId)}.`;
  const blocks: KnownBlock[] = [
    section(`:triangular_flag_on_post: ${text} ${linkTo(input.permalink, input.channelId, 'Open it')}`),
  ];
  if (input.reason) blocks.push(section(`*Reason*\n${quote(safeText(input.reason))}`));
  blocks.push(
    actions('struggles:report', button('Hide it', IDS.hide, `${input.target.target}:${input.target.id}`, 'danger')),
    context(
      'Hiding replaces it with a short notice and leaves it out of search. You can also hide a post from its ' +
        'message menu: *More message shortcuts* → *Hide (coordinators)*.',
    ),
  );
  return { text, blocks };
}
