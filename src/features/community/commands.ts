import type { WebClient } from '@slack/web-api';
import { actions, button, section } from '../../slack/blocks';

import type { FeatureContext, Subcommand, SubcommandInput } from '../types';
import type { MemberDirectory } from './directory';
import * as repo from './repository';
import * as views from './views';
import { postOnce } from '../../slack/post';

const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** Errors from Slack that mean the bot cannot read the channel until it is invited. */
function isNotInChannel(error: unknown): boolean {
  const code = (error as { data?: { error?: string } }).data?.error;
  return code === 'not_in_channel' || code === 'channel_not_found' || code === 'missing_scope';
}

/** A DM or group DM: no place for a CoP, whose home is a channel. */
function isDirectMessage(channelId: string, channelName: string | undefined): boolean {
  return channelId.startsWith('D') || channelName === 'directmessage' || Boolean(channelName?.startsWith('mpdm-'));
}

async function ensureBotInChannel(client: WebClient, channelId: string): Promise<boolean> {
  try {
    await client.conversations.members({ channel: channelId, limit: 1 });
    return true;
  } catch (error) {
    if (!isNotInChannel(error)) throw error;
  }
  try {
    // A public channel the bot can join by itself; a private one needs an /invite.
    await client.conversations.join({ channel: channelId });
    return true;
  } catch {
    return false;
  }
}

interface Deps {
  readonly ctx: FeatureContext;
  readonly directory: MemberDirectory;
  /** Every feature's subcommands, for help. */
  readonly all: () => Subcommand[];
}

export function communitySubcommands(
  ctx: FeatureContext,
  directory: MemberDirectory,
  all: () => Subcommand[],
): Subcommand[] {
  const deps: Deps = { ctx, directory, all };
  return [
    {
      name: 'help',
      usage: '/cop help',
      description: 'what each subcommand does',
      needsCop: false,
      who: 'anyone',
      run: (input) => showHelp(deps, input),
    },
    {
      name: 'setup',
      usage: '/cop setup',
      description: 'make this channel the home of a new CoP; you become its coordinator',
      needsCop: false,
      who: 'anyone',
      run: (input) => setUpCop(deps, input),
    },
    {
      name: 'coordinator',
      usage: '/cop coordinator @someone',
      description: 'coordinators only: make another member a coordinator too',
      who: 'coordinator',
      run: (input) => addCoordinator(deps, input),
    },
  ];
}

async function showHelp({ all }: Deps, { respond }: SubcommandInput): Promise<void> {
  const text = views.helpText(all());
  const buttons = all().flatMap((s) => (s.helpButton ? [button(s.helpButton.text, s.helpButton.actionId)] : []));
  await respond({
    response_type: 'ephemeral',
    text,
    ...(buttons.length ? { blocks: [section(text), actions('help', ...buttons)] } : {}),
  });
}

/** `/cop setup`: this channel becomes a CoP's home, the caller its coordinator, its people its members. */
async function setUpCop(
  { ctx, directory }: Deps,
  { command, client, respond, botUserId }: SubcommandInput,
): Promise<void> {
  if (isDirectMessage(command.channel_id, command.channel_name)) {
    await respond({ response_type: 'ephemeral', text: views.notInDirectMessageText });
    return;
  }
  const existing = await repo.findCopByChannel(ctx.db, command.team_id, command.channel_id);
  if (existing) {
    await respond({
      response_type: 'ephemeral',
      text: views.alreadySetUpText(await repo.listCoordinators(ctx.db, existing.id)),
    });
    return;
  }
  if (!(await ensureBotInChannel(client, command.channel_id))) {
    await respond({ response_type: 'ephemeral', text: views.inviteFirstText });
    return;
  }
  const cop = await repo.createCop(ctx.db, {
    teamId: command.team_id,
    channelId: command.channel_id,
    createdBy: command.user_id,
  });
  if (!cop) {
    // Someone else's /cop setup won the race a moment ago.
    const winner = await repo.findCopByChannel(ctx.db, command.team_id, command.channel_id);
    await respond({
      response_type: 'ephemeral',
      text: views.alreadySetUpText(winner ? await repo.listCoordinators(ctx.db, winner.id) : []),
    });
    return;
  }
  let members: number;
  try {
    ({ members } = await directory.syncMembers(cop, ctx.clock.now(), botUserId));
  } catch (error) {
    // A CoP without its members would refuse everyone: take it back, so the
    // "nothing was changed" the user is told holds and a retry starts afresh.
    await repo.deleteCop(ctx.db, cop.id);
    throw error;
  }
  ctx.logger.info(`cop ${cop.id} set up in channel ${cop.channel_id} with ${members} members`);
  await postOnce(
    client,
    { channel: cop.channel_id, ...views.setupAnnouncement(command.user_id) },
    { key: `setup:${cop.id}` },
  );
  await respond({ response_type: 'ephemeral', text: views.setupDoneText(members) });
}

async function addCoordinator({ ctx }: Deps, { command, args, cop, respond }: SubcommandInput): Promise<void> {
  const match = USER_MENTION.exec(args.trim());
  if (!cop || !match) {
    await respond({ response_type: 'ephemeral', text: 'Name one person: `/cop coordinator @someone`.' });
    return;
  }
  const userId = match[1]!;
  if (!(await repo.isMember(ctx.db, cop.id, userId))) {
    await respond({
      response_type: 'ephemeral',
      text: 'Only a member of this CoP (someone in its channel) can be a coordinator.',
    });
    return;
  }
  const added = await repo.addCoordinator(ctx.db, cop.id, userId, command.user_id);
  await respond({
    response_type: 'ephemeral',
    text: added ? views.coordinatorAddedText(userId) : `<@${userId}> already is a coordinator.`,
  });
}
