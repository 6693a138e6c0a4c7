import type { Button, KnownBlock, ModalView, Overflow, PlainTextOption } from '@slack/types';
import { actions, button, context, header, section } from '../../slack/blocks';
import { channelLink, mention, quote } from '../../slack/text';
import type { ReplyRow, SearchHit, StruggleRow, StruggleSummary } from './repository';
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
} as const;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** Where a link goes: the permalink when we have it, the channel otherwise. */
function linkTo(permalink: string | null, channelId: string, label: string): string {
  return permalink ? `<${permalink}|${label}>` : `${label} in ${channelLink(channelId)}`;
}

// ---- The struggle form ---------------------------------------------------

const noticeBlocks = (notice?: string): KnownBlock[] => (notice ? [section(`:warning: ${notice}`)] : []);

export const PROMISE_NOTE =
  'Your name is not shown on the post and is not stored by the bot. Only you get a DM with buttons ' +
  'to follow up anonymously or mark it resolved. Slack itself still keeps its own records (workspace ' +
  'admins’ exports, your DM); see the README.';

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
      label: plain('Topics (optional)'),
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
      label: plain('What I have tried (optional)'),
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

function manageMenu(target: 'post' | 'reply', id: number): Overflow {
  const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
  return {
    type: 'overflow',
    action_id: IDS.manage,
    options: [
      option('Report to coordinators', `report:${target}:${id}`),
      option('Hide (coordinators)', `hide:${target}:${id}`),
    ],
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
        label: plain('Why? (optional)'),
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
  target: 'post' | 'reply';
  permalink: string | null;
  channelId: string;
  reason: string;
}): { text: string; blocks: KnownBlock[] } {
  const what = input.target === 'post' ? 'an anonymous struggle' : 'an anonymous reply';
  const text = `${mention(input.reporterId)} reported ${what} in ${channelLink(input.channelId)}.`;
  const blocks: KnownBlock[] = [
    section(`:triangular_flag_on_post: ${text} ${linkTo(input.permalink, input.channelId, 'Open it')}`),
  ];
  if (input.reason) blocks.push(section(`*Reason*\n${quote(safeText(input.reason))}`));
  blocks.push(
    context(
      'As a coordinator you can hide it from its ⋮ menu: it is replaced by a short notice and left out of search.',
    ),
  );
  return { text, blocks };
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
        `:lock: ${text} Nobody else sees this message, and the bot keeps no record that it was you.\n` +
          'To hear about replies, open the thread and choose *Get notified about new replies*.',
      ),
      ...(resolved ? [context(':white_check_mark: You marked it resolved.')] : []),
      actions('author', ...buttons),
      context('These buttons are your only way to act as its author: anyone holding this message could use them.'),
    ],
  };
}

// ---- Search --------------------------------------------------------------

export const SEARCH_USAGE =
  'Search past struggles and their helpful answers: `/cop search <words>`, e.g. `/cop search flaky tests`. ' +
  'Use quotes for a phrase and `-word` to leave a word out.';

export function searchResults(
  words: string,
  hits: SearchHit[],
  helpful: ReplyRow[],
): { text: string; blocks: KnownBlock[] } {
  const shown = safeText(excerpt(words, 100));
  if (hits.length === 0) {
    const text = `No struggles match “${shown}”. Try other words, or share yours with \`/cop struggle\`.`;
    return { text, blocks: [section(text)] };
  }
  const blocks: KnownBlock[] = [section(`*Struggles matching “${shown}”*, best first (${hits.length}):`)];
  for (const hit of hits) {
    const answers = helpful.filter((r) => r.struggle_id === hit.id).slice(0, 3);
    const lines = [
      `${hit.resolved ? ':white_check_mark:' : ':thought_balloon:'} ${quote(safeText(excerpt(hit.text, 300)))}`,
      `${linkTo(hit.permalink, hit.channelId, 'Open the thread')}${hit.tags ? ` · Topics: ${safeText(hit.tags)}` : ''}`,
    ];
    if (answers.length) {
      lines.push('*Helpful answers*');
      for (const a of answers) {
        const who = a.kind === 'original_poster' ? 'original poster' : a.kind === 'anonymous' ? 'anonymous' : 'member';
        lines.push(`:bulb: ${safeText(excerpt(a.text, 300))} _(${who})_`);
      }
    }
    blocks.push(section(lines.join('\n')));
  }
  return { text: `${hits.length} struggle${hits.length === 1 ? '' : 's'} match “${shown}”.`, blocks };
}

// ---- App Home ------------------------------------------------------------

export function homeSection(copId: number, recent: StruggleSummary[]): KnownBlock[] {
  const lines = recent.map(
    (s) =>
      `• ${s.resolved ? ':white_check_mark: ' : ''}${linkTo(s.permalink, s.channelId, safeText(excerpt(s.excerpt, 80)) || 'a struggle')}`,
  );
  return [
    header('Practice struggles'),
    section(
      lines.length
        ? `*Recent struggles*\n${lines.join('\n')}`
        : 'No struggles shared yet. Be the first: it is anonymous.',
    ),
    actions(`struggles:home:${copId}`, button('Share a struggle anonymously', IDS.open, String(copId))),
  ];
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
