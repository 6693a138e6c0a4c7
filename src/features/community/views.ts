import type { KnownBlock } from '@slack/types';
import { section } from '../../slack/blocks';
import { mention } from '../../slack/text';
import type { Subcommand } from '../types';

export function alreadySetUpText(coordinators: string[]): string {
  const who = coordinators.length ? coordinators.map(mention).join(', ') : 'nobody yet';
  return `This channel is already a CoP home. Its coordinators: ${who}. Try \`/cop help\` to see what you can do.`;
}

export function setupAnnouncement(coordinatorId: string): { text: string; blocks: KnownBlock[] } {
  const text = `This channel is now the home of a Community of Practice. ${mention(coordinatorId)} is its coordinator.`;
  return {
    text,
    blocks: [
      section(
        `:seedling: *This channel is now the home of a Community of Practice.*\n` +
          `Everyone in this channel is a member; joining the channel is joining the CoP. ` +
          `${mention(coordinatorId)} coordinates: they schedule meetings and keep things tidy, but the group decides together.`,
      ),
      section(
        '*Start here*\n' +
          '• `/cop propose` a norm for how we work together; everyone votes with :+1: or :-1:\n' +
          '• `/cop struggle` shares a practice struggle anonymously\n' +
          '• `/cop meeting` shows the next meeting\n' +
          '• `/cop help` lists everything',
      ),
    ],
  };
}

export const setupDoneText = (memberCount: number): string =>
  `Done: this channel is now a CoP home and you are its coordinator. ${memberCount} member${memberCount === 1 ? '' : 's'} so far (everyone in the channel). ` +
  'Next: `/cop propose` a first norm, or `/cop meeting` to schedule your meetings.';

export const notInDirectMessageText =
  'A CoP lives in a channel, not in a direct message. Run `/cop setup` in the channel that will be its home.';

export const inviteFirstText =
  'I can’t see this channel’s members yet. Invite me first (`/invite @CoP bot`), then run `/cop setup` again.';

export const coordinatorAddedText = (userId: string): string => `${mention(userId)} is now a coordinator of this CoP.`;

export function helpText(subcommands: Subcommand[]): string {
  const lines = subcommands.map((s) => `• \`${s.usage}\`: ${s.description}`);
  return ['*What `/cop` can do*', ...lines].join('\n');
}
