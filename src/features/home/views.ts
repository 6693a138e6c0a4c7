import type { HomeView, KnownBlock } from '@slack/types';
import { LIMITS, capBlocks, context, divider, header, homeTitle, section } from '../../slack/blocks';
import { channelLink } from '../../slack/text';

/** One CoP's part of the Home, as its features drew it for the viewer. */
export interface CopHome {
  readonly channelId: string;
  readonly coordinator: boolean;
  /** Each feature's part, in order (each starts with its title). */
  readonly parts: KnownBlock[][];
  /** Empty unless the viewer coordinates the CoP. */
  readonly coordinatorBlocks: KnownBlock[];
}

/**
 * The Home: its header, then for each CoP its title with the viewer's role, each feature's part
 * (each starts with its bold title) and the coordinators' part, dividers between them. Only the
 * page has a header block, so every part reads as belonging to the CoP above it.
 */
export function homeView(cops: CopHome[]): HomeView {
  const blocks: KnownBlock[] = [header('Your Communities of Practice')];
  if (cops.length === 0) {
    blocks.push(
      section(
        'You are not in a CoP yet. A CoP lives in a Slack channel: join its channel to join it, ' +
          'or start one by running `/cop setup` in a channel.',
      ),
    );
  }
  for (const cop of cops) {
    blocks.push(
      divider(),
      section(`:seedling: *Community of Practice in ${channelLink(cop.channelId)}*`),
      context(cop.coordinator ? 'You are a coordinator here.' : 'You are a member: your vote counts.'),
    );
    for (const part of cop.parts) if (part.length) blocks.push(divider(), ...part);
    if (cop.coordinatorBlocks.length) {
      blocks.push(divider(), homeTitle(':hammer_and_wrench:', 'For coordinators'), ...cop.coordinatorBlocks);
    }
  }
  blocks.push(divider(), context('Type `/cop help` anywhere to see every command.'));
  return { type: 'home', blocks: capBlocks(blocks, LIMITS.blocksPerView) };
}
