import type { KnownBlock } from '@slack/types';
import { context, section } from '../../slack/blocks';
import { monthName } from '../../months';

/**
 * The App Home's health part: the latest monthly picture (its image from the uploaded file,
 * which Slack shows to the channel's members) with its summary; self-contained, so any Home
 * layout can place it.
 */
export function healthHomeBlocks(
  post: { month: string; summary: string | null; file_id: string | null; permalink: string | null } | undefined,
): KnownBlock[] {
  if (!post?.summary) {
    return [
      context(
        ':bar_chart: No health picture yet: one is posted in the channel each month. `/cop health` sends you the latest.',
      ),
    ];
  }
  const link = post.permalink ? ` <${post.permalink}|Open the chart>` : '';
  const blocks: KnownBlock[] = [
    section(`:bar_chart: *The CoP's health, to ${monthName(post.month)}*\n${post.summary}${link}`),
  ];
  if (post.file_id) {
    blocks.push({
      type: 'image',
      slack_file: { id: post.file_id },
      alt_text: post.summary.slice(0, 2000),
    });
  }
  return blocks;
}
