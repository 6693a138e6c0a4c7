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
