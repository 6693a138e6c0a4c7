import { z } from 'zod';
import { NOT_A_MEMBER } from '../refusals';
import { findSentDm } from '../../slack/outbox';
import type { SlackRoutes } from '../../slack/routes';
import type { FeatureContext } from '../types';
import { markAttended } from './attendance-repository';
import { attendedWindow, isSkipped } from './attendance-rules';
import { reminderKey } from './reminders';
import * as repo from './repository';
import { formatInZone } from './schedule';
import { ACTION_ATTENDED } from './views';

const attendedClick = z.object({
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

export const ATTENDED_TEXTS = {
  gone: 'That meeting no longer exists.',
  notExpected: 'Only members who were sent a reminder for this meeting can say they were there.',
  notStarted: 'That meeting has not started yet: say “I was there” once it has.',
  closed:
    'It is more than a day since that meeting ended, so “I was there” is closed. A coordinator can still add you from `/cop meeting`.',
  skipped: 'That date was skipped: there was no meeting.',
} as const;

export function attendedText(when: string, alreadyThere: boolean): string {
  return alreadyThere
    ? `You are already counted at the meeting of ${when}.`
    : `Thanks: you are counted at the meeting of ${when}.`;
}

/** "I was there" on a reminder DM. */
export function registerAttendanceListeners(routes: SlackRoutes, ctx: FeatureContext): void {
  const log = ctx.logger.child('meetings');

  routes.action(ACTION_ATTENDED, async ({ ack, body, respond }) => {
    await ack();
    const parsed = attendedClick.safeParse(body);
    if (!parsed.success) return;
    const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const userId = parsed.data.user.id;
    const occurrenceId = Number(parsed.data.actions[0]!.value);
    const occurrence = Number.isSafeInteger(occurrenceId) ? await repo.findOccurrence(ctx.db, occurrenceId) : undefined;
    const meeting = occurrence ? await repo.findMeetingById(ctx.db, occurrence.meeting_id) : undefined;
    if (!occurrence || !meeting) return void (await say(ATTENDED_TEXTS.gone));
    if (!(await ctx.community.isMember(meeting.cop_id, userId))) return void (await say(NOT_A_MEMBER));
    // Expected: the member was sent this occurrence's reminder (a forged click from anyone else finds none).
    const reminder = await findSentDm(ctx.db, reminderKey(meeting.id, occurrence.starts_at, userId));
    if (reminder?.status !== 'sent') return void (await say(ATTENDED_TEXTS.notExpected));
    if (isSkipped(meeting, occurrence.starts_at)) return void (await say(ATTENDED_TEXTS.skipped));
    const window = attendedWindow(occurrence.starts_at, occurrence.ends_at, ctx.clock.now());
    if (window === 'not_started') return void (await say(ATTENDED_TEXTS.notStarted));
    if (window === 'closed') return void (await say(ATTENDED_TEXTS.closed));
    const added = await markAttended(ctx.db, occurrence.id, userId, ctx.clock.now());
    if (added) log.info(`a member said they were at meeting ${meeting.id} on ${occurrence.starts_at.toISOString()}`);
    await say(attendedText(`${formatInZone(occurrence.starts_at, meeting.time_zone)} (${meeting.time_zone})`, !added));
  });
}
