import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Community, CopRights, Subcommand, SubcommandInput } from '../features/types';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../features/refusals';
import type { AppLogger } from '../logger';
import type { SlackRoutes } from '../slack/routes';
import { isDatabaseUnavailable, TRY_AGAIN_SHORTLY } from '../slack/unavailable';

export const NOT_A_HOME =
  'This channel is not a CoP home yet. Run `/cop setup` here to make it one, or run `/cop` in your CoP’s channel.';
// From a DM there is no channel to set up, and several CoPs leave it open which one is meant.
export const NOT_A_HOME_IN_DM =
  'Run `/cop` in your CoP’s channel: from a direct message I can only tell which CoP you mean when you are in exactly one. To start a CoP, run `/cop setup` in its channel.';

/**
 * The CoP a command acts on, with the user's rights in it: the channel's own, or, from anywhere
 * else (a DM, say), the one CoP the user belongs to. Several CoPs and no home channel: ambiguous,
 * so none. The usual case, a command in the home channel, is one query.
 */
async function resolveCop(
  community: Community,
  teamId: string,
  channelId: string,
  userId: string,
): Promise<CopRights | undefined> {
  const here = await community.copWithRights(teamId, channelId, userId);
  if (here) return here;
  const mine = await community.copsOf(userId);
  if (mine.length !== 1) return undefined;
  const cop = mine[0]!;
  return { cop, member: true, coordinator: await community.isCoordinator(cop.id, userId) };
}

/** Why this user may not run this subcommand here, or undefined when they may. */
function refusal(subcommand: Subcommand, resolved: CopRights | undefined, inDm: boolean): string | undefined {
  if ((subcommand.needsCop ?? true) && !resolved) return inDm ? NOT_A_HOME_IN_DM : NOT_A_HOME;
  const who = subcommand.who ?? 'member';
  if (resolved && who === 'member' && !resolved.member) return NOT_A_MEMBER;
  if (resolved && who === 'coordinator' && !resolved.coordinator) return NOT_A_COORDINATOR;
  return undefined;
}

/** Registers `/cop` and routes its first word to a feature's subcommand. */
export function registerCopRouter(
  routes: SlackRoutes,
  deps: { community: Community; logger: AppLogger; subcommands: Subcommand[] },
): void {
  const byName = new Map(deps.subcommands.map((s) => [s.name, s]));
  const help = deps.subcommands.find((s) => s.name === 'help');
  const named = (text: string) => byName.get(text.trim().split(/\s+/)[0]!.toLowerCase());

  routes.command('/cop', copCommand, {
    runsAtOnce: (command) => named(command.text)?.opensModal === true,
    answersInAck: (command) => named(command.text)?.answersInAck === true,
  });

  async function copCommand({
    command,
    ack,
    respond,
    client,
    context,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) {
    const first = command.text.trim().split(/\s+/)[0] ?? '';
    const subcommand = byName.get(first.toLowerCase()) ?? help;
    // Ack at once with nothing (every subcommand answers privately or opens a modal), unless the
    // answer itself goes in the ack: the routes then ack it in time, or pass it to the response URL.
    const inAck = subcommand?.answersInAck === true;
    if (!inAck) await ack();
    if (!subcommand) return;
    const reply: SubcommandInput['respond'] = inAck ? (message) => ack(message) : respond;
    const args = byName.has(first.toLowerCase()) ? command.text.trim().slice(first.length).trim() : '';
    try {
      const resolved = await resolveCop(deps.community, command.team_id, command.channel_id, command.user_id);
      const inDm = command.channel_id.startsWith('D') || command.channel_name === 'directmessage';
      const refused = refusal(subcommand, resolved, inDm);
      if (refused) {
        await reply({ response_type: 'ephemeral', text: refused });
        return;
      }
      await subcommand.run({
        command,
        args,
        cop: resolved?.cop,
        coordinator: resolved?.coordinator ?? false,
        client,
        respond: reply,
        botUserId: context.botUserId,
      });
    } catch (error) {
      // The command's text is not logged: it may be an anonymous struggle.
      deps.logger.error(`/cop ${subcommand.name} failed in channel ${command.channel_id}`, error);
      await reply({
        response_type: 'ephemeral',
        text: isDatabaseUnavailable(error)
          ? TRY_AGAIN_SHORTLY
          : 'Sorry, something went wrong on our side. Nothing was changed; please try again.',
      }).catch(() => undefined);
    }
  }
}
