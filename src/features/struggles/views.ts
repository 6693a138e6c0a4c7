import type { Button, KnownBlock, ModalView, Overflow, PlainTextOption } from '@slack/types';
import { actions, button, context, section } from '../../slack/blocks';
import { channelLink, quote } from '../../slack/text';
import type { StruggleRow } from './tables';
import { excerpt, MAX_TAGS, MAX_TEXT, MAX_TRIED, safeText, type StruggleInput } from './rules';

export const IDS = {
  open: 'struggles:open',
  post: 'struggles:post',
  reply: 'struggles:reply',
  replySubmit: 'struggles:reply_submit',
  followUp: 'struggles:follow_up',
  followUpSubmit: 'struggles:follow_up_submit',
  resolve: 'struggles:resolve',
  manage: 'struggles:manage',
  reportSubmit: 'struggles:report',
  helpfulShortcut: 'struggles:helpful',
  hideShortcut: 'struggles:hide',
  hide: 'struggles:hide_now',
} as const;

export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** Where a link goes: the permalink when we have it, the channel otherwise. */
export function linkTo(permalink: string | null, channelId: string, label: string): string {
  return permalink ? `<${permalink}|${label}>` : `${label} in ${channelLink(channelId)}`;
}

// ---- The struggle form ---------------------------------------------------

const noticeBlocks = (notice?: string): KnownBlock[] => (notice ? [section(`:warning: ${notice}`)] : []);

export const PROMISE_NOTE =
  'Your name is not shown on the post and the bot does not store who wrote it. You get a private DM ' +
  'with buttons to follow up anonymously or mark it resolved. Slack itself keeps its usual records ' +
  '(your DM with the bot, and the exports workspace admins can make).';

export function struggleModal(copId: number, values: Partial<StruggleInput> = {}, notice?: string): ModalView {
  const blocks: KnownBlock[] = [...noticeBlocks(notice)];
  blocks.push(
    {
      type: 'input',
      block_id: 'text',
      label: plain('What are you struggling with?'),
      element: {
        type: 'plain_text_input',
        action_id: 'text',
        multiline: true,
        max_length: MAX_TEXT,
        ...(values.text ? { initial_value: values.text.slice(0, MAX_TEXT) } : {}),
        placeholder: plain('Describe the situation in your practice; no names needed.'),
      },
    },
    {
      type: 'input',
      block_id: 'tags',
      optional: true,
      label: plain('Topics'),
      hint: plain('Comma-separated, e.g. testing, code review'),
      element: {
        type: 'plain_text_input',
        action_id: 'tags',
        max_length: MAX_TAGS,
        ...(values.tags ? { initial_value: values.tags } : {}),
      },
    },
    {
      type: 'input',
      block_id: 'tried',
      optional: true,
      label: plain('What I have tried'),
      element: {
        type: 'plain_text_input',
        action_id: 'tried',
        multiline: true,
        max_length: MAX_TRIED,
        ...(values.tried ? { initial_value: values.tried } : {}),
      },
    },
    context(PROMISE_NOTE),
  );
  return {
    type: 'modal',
    callback_id: IDS.post,
    private_metadata: JSON.stringify({ copId }),
    title: plain('Share a struggle'),
    submit: plain('Share anonymously'),
    close: plain('Cancel'),
    blocks,
  };
}

export function progressView(title: string, what: string): ModalView {
  return { type: 'modal', title: plain(title), close: plain('Close'), blocks: [section(what)] };
}

export function sharedView(permalink: string | null, channelId: string, dmSent: boolean): ModalView {
  return {
    type: 'modal',
    title: plain('Shared anonymously'),
    close: plain('Done'),
    blocks: [
      section(
        `:white_check_mark: Your struggle is ${linkTo(permalink, channelId, 'posted')}, with no name on it.\n` +
          (dmSent
            ? 'I sent you a DM with buttons to follow up anonymously (marked as the original poster) and to mark it resolved.'
            : 'I could not send you the DM with the buttons to follow up or resolve it, and the bot keeps no record ' +
              'that it was you, so you cannot act as its author. You can still reply anonymously from the post.'),
      ),
    ],
  };
}

// ---- Messages in the channel ---------------------------------------------

/** What every member may do with a post or reply (coordinators hide with a message shortcut). */
function manageMenu(target: 'post' | 'reply', id: number): Overflow {
  const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
  return {
    type: 'overflow',
    action_id: IDS.manage,
    options: [option('Report to coordinators', `report:${target}:${id}`)],
  };
}

export function strugglePost(s: StruggleRow): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    section(':thought_balloon: *A practice struggle, shared anonymously*', manageMenu('post', s.id)),
    section(quote(safeText(s.text))),
  ];
  if (s.tried) blocks.push(section(`*What I have tried*\n${quote(safeText(s.tried))}`));
  if (s.tags) blocks.push(context(`Topics: ${safeText(s.tags)}`));
  blocks.push(
    context(
      s.resolved_at
        ? ':white_check_mark: *Resolved* by its author. Thanks to everyone who helped.'
        : 'Reply in the thread as usual, or anonymously with the button. React :bulb: on a reply that helps.',
    ),
    actions(`struggle:${s.id}`, button('Reply anonymously', IDS.reply, String(s.id))),
  );
  return { text: `A practice struggle, shared anonymously: ${safeText(excerpt(s.text))}`, blocks };
}

export const HIDDEN_POST = {
  text: 'A coordinator hid this struggle.',
  blocks: [context(':see_no_evil: A coordinator hid this struggle. It no longer appears in search.')] as KnownBlock[],
};

export const HIDDEN_REPLY = {
  text: 'A coordinator hid this reply.',
  blocks: [context(':see_no_evil: A coordinator hid this reply.')] as KnownBlock[],
};

export function anonymousReply(
  kind: 'anonymous' | 'original_poster',
  replyId: number,
  text: string,
): { text: string; blocks: KnownBlock[] } {
  const label =
    kind === 'original_poster'
      ? ':speech_balloon: *Original poster* (anonymous follow-up)'
      : ':speech_balloon: *Anonymous reply*';
  return {
    text: `${kind === 'original_poster' ? 'Original poster' : 'Anonymous reply'}: ${safeText(excerpt(text))}`,
    blocks: [section(label, manageMenu('reply', replyId)), section(quote(safeText(text)))],
  };
}

// ---- Modals from the post and the DM -------------------------------------

function quotedStruggle(s: StruggleRow): KnownBlock {
  return section(`*The struggle*\n${quote(safeText(excerpt(s.text, 500)))}`);
}

function replyInput(label: string, initial?: string): KnownBlock {
  return {
    type: 'input',
    block_id: 'reply',
    label: plain(label),
    element: {
      type: 'plain_text_input',
      action_id: 'reply',
      multiline: true,
      max_length: MAX_TEXT,
      ...(initial ? { initial_value: initial.slice(0, MAX_TEXT) } : {}),
    },
  };
}

export function replyModal(s: StruggleRow, initial?: string, notice?: string): ModalView {
  return {
    type: 'modal',
    callback_id: IDS.replySubmit,
    private_metadata: JSON.stringify({ struggleId: s.id }),
    title: plain('Reply anonymously'),
    submit: plain('Post reply'),
    close: plain('Cancel'),
    blocks: [
      ...noticeBlocks(notice),
      quotedStruggle(s),
      replyInput('Your reply', initial),
      context('The bot posts it in the thread with no name on it, and does not store who wrote it.'),
    ],
  };
}

export function followUpModal(s: StruggleRow, token: string, initial?: string, notice?: string): ModalView {
  return {
    type: 'modal',
    callback_id: IDS.followUpSubmit,
    private_metadata: JSON.stringify({ token }),
    title: plain('Follow up'),
    submit: plain('Post follow-up'),
    close: plain('Cancel'),
    blocks: [
      ...noticeBlocks(notice),
      quotedStruggle(s),
      replyInput('Your follow-up', initial),
      context('Posted in the thread by the bot, marked “Original poster”, with no name on it.'),
    ],
  };
}

// ---- The author's DM -----------------------------------------------------

export function authorDm(
  s: StruggleRow,
  token: string,
  resolved = s.resolved_at !== null,
): { text: string; blocks: KnownBlock[] } {
  const link = linkTo(s.permalink, s.channel_id, 'your struggle');
  const text = `You shared ${link} anonymously.`;
  const buttons: Button[] = [button('Follow up anonymously', IDS.followUp, token, 'primary')];
  if (!resolved) buttons.push(button('Mark resolved', IDS.resolve, token));
  return {
    text,
    blocks: [
      section(
        `:lock: ${text} This message is only for you: the bot keeps no record that it was you, ` +
          'so these buttons are how you act as its author.',
      ),
      section(
        '• *Follow up anonymously* posts a reply in its thread, marked “Original poster”, with no name on it.\n' +
          (resolved ? '' : '• *Mark resolved* tells the group your struggle is settled; the post shows it.\n') +
          'Keep this message if you may want to do either later.',
      ),
      ...(resolved ? [context(':white_check_mark: You marked it resolved.')] : []),
      actions('author', ...buttons),
      context(
        'To hear about replies, open the thread and choose *Get notified about new replies*. ' +
          'Anyone who sees this message could use its buttons, so don’t forward it.',
      ),
    ],
  };
}

export const NOT_FOUND = 'That struggle no longer exists or was hidden by a coordinator.';
export const BAD_TOKEN = 'These buttons do not match that struggle, so nothing was changed.';

export function replyPostedView(
  permalink: string | null,
  channelId: string,
  kind: 'anonymous' | 'original_poster',
): ModalView {
  return progressView(
    kind === 'original_poster' ? 'Follow-up posted' : 'Reply posted',
    `:white_check_mark: Posted in ${linkTo(permalink, channelId, 'the thread')} with no name on it` +
      `${kind === 'original_poster' ? ', marked “Original poster”' : ''}.`,
  );
}
