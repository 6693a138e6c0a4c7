import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { truncate } from './text';

// Slack's limits for the fields these helpers fill.
export const LIMITS = {
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  contextText: 2000,
  blocksPerMessage: 50,
  blocksPerView: 100,
} as const;

export const header = (text: string): HeaderBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true },
});

export const section = (mrkdwn: string, accessory?: SectionBlock['accessory']): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(mrkdwn, LIMITS.sectionText) },
  ...(accessory ? { accessory } : {}),
});

export const context = (...mrkdwn: string[]): ContextBlock => ({
  type: 'context',
  elements: mrkdwn.map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.contextText) })),
});

export const divider = (): DividerBlock => ({ type: 'divider' });

export const actions = (blockId: string | undefined, ...elements: Button[]): ActionsBlock => ({
  type: 'actions',
  ...(blockId ? { block_id: blockId } : {}),
  elements,
});

export const button = (text: string, actionId: string, value?: string, style?: 'primary' | 'danger'): Button => ({
  type: 'button',
  text: { type: 'plain_text', text: truncate(text, LIMITS.buttonText), emoji: true },
  action_id: actionId,
  ...(value !== undefined ? { value } : {}),
  ...(style ? { style } : {}),
});

/** Keeps a message or view within Slack's block count, noting what was left out. */
export function capBlocks(blocks: KnownBlock[], max: number): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  return [...blocks.slice(0, max - 1), context(`…and more not shown here (${blocks.length - max + 1} blocks).`)];
}

/**
 * Lines of mrkdwn packed into as few sections as fit Slack's 3000 characters each, at most
 * `maxSections`; lines that do not fit are counted, and `more(n)` says so in a context block.
 */
export function sectionsOf(lines: string[], maxSections: number, more: (left: number) => string): KnownBlock[] {
  const chunks: string[] = [];
  let shown = 0;
  for (const raw of lines) {
    const line = truncate(raw, LIMITS.sectionText);
    const last = chunks.length - 1;
    if (last >= 0 && chunks[last]!.length + line.length + 1 <= LIMITS.sectionText) chunks[last] += `\n${line}`;
    else if (chunks.length < maxSections) chunks.push(line);
    else break;
    shown += 1;
  }
  const blocks: KnownBlock[] = chunks.map((chunk) => section(chunk));
  if (shown < lines.length) blocks.push(context(more(lines.length - shown)));
  return blocks;
}

/**
 * The title of a part of the App Home (a CoP's norms, its next meeting): bold, with an emoji.
 * The CoP itself has the header block; its parts sit under it, divided by dividers.
 */
export const homeTitle = (emoji: string, text: string): SectionBlock => section(`${emoji} *${text}*`);
