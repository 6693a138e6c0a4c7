import type { HomeView, KnownBlock } from '@slack/types';
import { LIMITS, capBlocks, context, divider, header, section } from '../../slack/blocks';
import { channelLink } from '../../slack/text';

export function homeView(copSections: { channelId: string; blocks: KnownBlock[] }[]): HomeView {
  const blocks: KnownBlock[] = [header('Your Communities of Practice')];
  if (copSections.length === 0) {
    blocks.push(
      section(
        'You are not in a CoP yet. A CoP lives in a Slack channel: join its channel to join it, ' +
          'or start one by running `/cop setup` in a channel.',
      ),
    );
  }
  for (const cop of copSections) {
    blocks.push(divider(), section(`:seedling: *CoP in ${channelLink(cop.channelId)}*`), ...cop.blocks);
  }
  blocks.push(divider(), context('Type `/cop help` anywhere to see every command.'));
  return { type: 'home', blocks: capBlocks(blocks, LIMITS.blocksPerView) };
}
