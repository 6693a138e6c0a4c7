import { cancelPendingReminders, findMeeting, setOptOut } from './repository';
import { memberReminderPattern } from './reminders';
import { escapeText } from '../../slack/text';
import type { FeatureContext, Subcommand } from '../types';
import type { AgendaProvider } from './agenda';
import { checkTopic, TOPIC_MAX } from './rules';
import { formatInZone } from './schedule';
import { addTopic, meetingViewData } from './service';
import { meetingMessage } from './views';
import { zoneOf } from './zones';

const NO_MEETING =
  'No meeting is scheduled yet, so there is no agenda to add to. A coordinator can schedule one with `/cop meeting`.';
const TOPIC_USAGE = 'Say what to talk about: `/cop topic <text>`, e.g. `/cop topic how we review each other’s code`.';
const REMINDERS_USAGE = 'Use `/cop reminders off` to stop reminder DMs, or `/cop reminders on` to get them again.';

export function meetingSubcommands(ctx: FeatureContext, providers: () => readonly AgendaProvider[]): Subcommand[] {
  const log = ctx.logger.child('meetings');
  const onAgendaError = (provider: string, error: unknown) => log.error(`agenda provider ${provider} failed`, error);
  return [
    {
      name: 'meeting',
      usage: '/cop meeting',
      description: 'the next meeting, its agenda and who is coming; a button to schedule or change it (coordinators)',
      run: async ({ command, cop, client, respond }) => {
        if (!cop) return;
        const now = ctx.clock.now();
        const meeting = await findMeeting(ctx.db, cop.id);
        const zone = await zoneOf(ctx.db, client, log, command.user_id, cop.team_id, now, meeting?.time_zone ?? 'UTC');
        const data = await meetingViewData(
          ctx.db,
          ctx.community,
          providers(),
          cop,
          command.user_id,
          zone,
          now,
          onAgendaError,
        );
        await respond({ response_type: 'ephemeral', ...meetingMessage(data) });
      },
    },
    {
      name: 'topic',
      usage: '/cop topic <text>',
      description: "add a topic to the next meeting's agenda",
      run: async ({ command, args, cop, client, respond }) => {
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
        const meeting = await findMeeting(ctx.db, cop.id);
        const now = ctx.clock.now();
        const next = meeting ? await addTopic(ctx.db, meeting, command.user_id, checked.text, now) : undefined;
        if (!meeting || !next) {
          await respond({ response_type: 'ephemeral', text: NO_MEETING });
          return;
        }
        const zone = await zoneOf(ctx.db, client, log, command.user_id, cop.team_id, now, meeting.time_zone);
        await respond({
          response_type: 'ephemeral',
          text: `Added to the agenda of the meeting on ${formatInZone(next, zone)} (your time): “${escapeText(checked.text)}”`,
        });
      },
    },
    {
      name: 'reminders',
      usage: '/cop reminders on|off',
      description: 'opt in or out of reminder DMs',
      run: async ({ command, args, cop, respond }) => {
        if (!cop) return;
        const choice = args.trim().toLowerCase();
        if (choice !== 'on' && choice !== 'off') {
          await respond({ response_type: 'ephemeral', text: REMINDERS_USAGE });
          return;
        }
        await setOptOut(ctx.db, cop.id, command.user_id, choice === 'off', ctx.clock.now());
        if (choice === 'off') {
          // A reminder still waiting in the outbox (Slack slow or down) is not sent after all.
          const meeting = await findMeeting(ctx.db, cop.id);
          if (meeting) await cancelPendingReminders(ctx.db, memberReminderPattern(meeting.id, command.user_id));
        }
        await respond({
          response_type: 'ephemeral',
          text:
            choice === 'off'
              ? 'Reminder DMs are off for you in this CoP. `/cop reminders on` turns them back on.'
              : 'Reminder DMs are on: you’ll get one before each meeting. `/cop reminders off` stops them.',
        });
      },
    },
  ];
}
