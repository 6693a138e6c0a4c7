import type { SlackRoutes } from './routes';
import { isDatabaseUnavailable, TRY_AGAIN_SHORTLY } from './unavailable';
import type { Db } from '../db/database';
import type { Cop } from '../db/schema';
import type { Subcommand } from '../features/types';
import type { AppLogger } from '../logger';
import { findCopWithRights, findCopsOfMember, isCoordinator } from '../features/community/repository';

export const NOT_A_HOME =
  'This channel is not a CoP home yet. Run `/cop setup` here to make it one, or run `/cop` in your CoP’s channel.';
// From a DM there is no channel to set up, and several CoPs leave it open which one is meant.
export const NOT_A_HOME_IN_DM =
  'Run `/cop` in your CoP’s channel: from a direct message I can only tell which CoP you mean when you are in exactly one. To start a CoP, run `/cop setup` in its channel.';
export const NOT_A_MEMBER = 'Only members of this CoP can do that. Join its channel to take part.';
export const NOT_A_COORDINATOR = 'Only this CoP’s coordinators can do that.';

export function helpText(subcommands: Subcommand[]): string {
  const lines = subcommands.map((s) => `• \`${s.usage}\`: ${s.description}`);
  return ['*What `/cop` can do*', ...lines].join('\n');
}

interface Resolved {
  cop: Cop;
  member: boolean;
  coordinator: boolean;
}

/**
 * The CoP a command acts on, with the user's rights in it: the channel's own, or, from anywhere
 * else (a DM, say), the one CoP the user belongs to. Several CoPs and no home channel: ambiguous,
 * so none. The usual case, a command in the home channel, is one query.
 */
async function resolveCop(db: Db, teamId: string, channelId: string, userId: string): Promise<Resolved | undefined> {
  const here = await findCopWithRights(db, teamId, channelId, userId);
  if (here) return here;
  const mine = await findCopsOfMember(db, userId);
  if (mine.length !== 1) return undefined;
  const cop = mine[0]!;
  return { cop, member: true, coordinator: await isCoordinator(db, cop.id, userId) };
}

/** Registers `/cop` and routes its first word to a feature's subcommand. */
export function registerCopCommand(
  routes: SlackRoutes,
  deps: { db: Db; logger: AppLogger; subcommands: Subcommand[] },
): void {
  const byName = new Map(deps.subcommands.map((s) => [s.name, s]));
  const help = deps.subcommands.find((s) => s.name === 'help');

  routes.command('/cop', async ({ command, ack, respond, client, context }) => {
    // Ack at once with nothing: a slash command's own response would show the typed text,
    // and every subcommand answers privately (respond) or opens a modal.
    await ack();
    const first = command.text.trim().split(/\s+/)[0] ?? '';
    const subcommand = byName.get(first.toLowerCase()) ?? help;
    if (!subcommand) return;
    const args = byName.has(first.toLowerCase()) ? command.text.trim().slice(first.length).trim() : '';
    try {
      const resolved = await resolveCop(deps.db, command.team_id, command.channel_id, command.user_id);
      const cop = resolved?.cop;
      if ((subcommand.needsCop ?? true) && !cop) {
        const inDm = command.channel_id.startsWith('D') || command.channel_name === 'directmessage';
        await respond({ response_type: 'ephemeral', text: inDm ? NOT_A_HOME_IN_DM : NOT_A_HOME });
        return;
      }
      const who = subcommand.who ?? 'member';
      if (resolved && who === 'member' && !resolved.member) {
        await respond({ response_type: 'ephemeral', text: NOT_A_MEMBER });
        return;
      }
      if (resolved && who === 'coordinator' && !resolved.coordinator) {
        await respond({ response_type: 'ephemeral', text: NOT_A_COORDINATOR });
        return;
      }
      await subcommand.run({
        command,
        args,
        cop,
        coordinator: resolved?.coordinator ?? false,
        client,
        respond,
        botUserId: context.botUserId,
      });
    } catch (error) {
      // The command's text is not logged: it may be an anonymous struggle.
      deps.logger.error(`/cop ${subcommand.name} failed in channel ${command.channel_id}`, error);
      await respond({
        response_type: 'ephemeral',
        text: isDatabaseUnavailable(error)
          ? TRY_AGAIN_SHORTLY
          : 'Sorry, something went wrong on our side. Nothing was changed; please try again.',
      }).catch(() => undefined);
    }
  });
}
