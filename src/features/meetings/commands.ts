import { escapeText } from '../../slack/text';
import type { AppLogger } from '../../logger';
import type { FeatureContext, Subcommand, SubcommandInput } from '../types';
import { checkTopic, TOPIC_MAX } from './rules';
import type { MeetingsService } from './service';
import { meetingMessage, when } from './views';
import { zoneOf } from './zones';

const NO_MEETING =
  'No meeting is scheduled yet, so there is no agenda to add to. A coordinator can schedule one with `/cop meeting`.';
const TOPIC_USAGE = 'Say what to talk about: `/cop topic <text>`, e.g. `/cop topic how we review each other’s code`.';
const REMINDERS_USAGE = 'Use `/cop reminders off` to stop reminder DMs, or `/cop reminders on` to get them again.';

interface Deps {
  readonly ctx: FeatureContext;
  readonly service: MeetingsService;
  readonly log: AppLogger;
}

export function meetingSubcommands(deps: Deps): Subcommand[] {
  return [
    {
      name: 'meeting',
      usage: '/cop meeting',
      description: 'the next meeting, its agenda and who is coming; a button to schedule or change it (coordinators)',
      run: (input) => showMeeting(deps, input),
    },
    {
      name: 'topic',
      usage: '/cop topic <text>',
      description: "add a topic to the next meeting's agenda",
      run: (input) => addTopic(deps, input),
    },
    {
      name: 'reminders',
      usage: '/cop reminders on|off',
      description: 'opt in or out of reminder DMs',
      run: (input) => setReminders(deps, input),
    },
  ];
}

async function showMeeting({ ctx, service, log }: Deps, { command, cop, client, respond }: SubcommandInput) {
  if (!cop) return;
  const now = ctx.clock.now();
  const meeting = await service.meetingOf(cop.id);
  const zone = await zoneOf(ctx.db, client, log, command.user_id, cop.team_id, now, meeting?.time_zone ?? 'UTC');
  const data = await service.viewData(cop, command.user_id, zone, now);
  await respond({ response_type: 'ephemeral', ...meetingMessage(data) });
}

async function addTopic({ ctx, service, log }: Deps, { command, args, cop, client, respond }: SubcommandInput) {
  if (!cop) return;
  const checked = checkTopic(args);
  if (!checked.ok) {
    const text =
      checked.reason === 'empty'
        ? TOPIC_USAGE
        : `That topic is too long (${args.trim().length} characters); keep it to ${TOPIC_MAX} at most.`;
    await respond({ response_type: 'ephemeral', text });
    return;
  }
  const now = ctx.clock.now();
  const added = await service.addTopic(cop.id, command.user_id, checked.text, now);
  if (!added) {
    await respond({ response_type: 'ephemeral', text: NO_MEETING });
    return;
  }
  const zone = await zoneOf(ctx.db, client, log, command.user_id, cop.team_id, now, added.meeting.time_zone);
  await respond({
    response_type: 'ephemeral',
    text: `Added to the agenda of the meeting on ${when(added.next, zone)} (your time): “${escapeText(checked.text)}”`,
  });
}

async function setReminders({ ctx, service }: Deps, { command, args, cop, respond }: SubcommandInput) {
  if (!cop) return;
  const choice = args.trim().toLowerCase();
  if (choice !== 'on' && choice !== 'off') {
    await respond({ response_type: 'ephemeral', text: REMINDERS_USAGE });
    return;
  }
  await service.setReminders(cop.id, command.user_id, choice === 'on', ctx.clock.now());
  await respond({
    response_type: 'ephemeral',
    text:
      choice === 'off'
        ? 'Reminder DMs are off for you in this CoP. `/cop reminders on` turns them back on.'
        : 'Reminder DMs are on: you’ll get one before each meeting. `/cop reminders off` stops them.',
  });
}
