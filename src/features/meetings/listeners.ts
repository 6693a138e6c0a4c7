import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../refusals';
import { findSentDm } from '../../slack/outbox';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { FeatureContext } from '../types';
import type { AgendaProvider } from './agenda';
import { announcementKey, reminderKey } from './reminders';
import * as repo from './repository';
import { parseScheduleForm, ruleOf, type ScheduleForm } from './rules';
import { formatInZone, nextOccurrence } from './schedule';
import { agendaFor, meetingViewData, scheduleMeeting } from './service';
import { attendanceModal, scheduleModal } from './modals';
import * as views from './views';
import { zoneOf } from './zones';
import type { SlackRoutes } from '../../slack/routes';

const clickBody = z.object({
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  trigger_id: z.string().optional(),
  container: z
    .object({
      type: z.string(),
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

const stateValue = z.object({
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_time: z.string().nullish(),
  selected_users: z.array(z.string()).nullish(),
});
const submission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});
type State = z.infer<typeof submission>['view']['state']['values'];

/** An input's value by block and action id (both the same in our modals). */
function read(values: State, id: string): string | null {
  const v = values[id]?.[id];
  return v?.value ?? v?.selected_option?.value ?? v?.selected_time ?? null;
}

export function registerMeetingListeners(
  routes: SlackRoutes,
  ctx: FeatureContext,
  providers: () => readonly AgendaProvider[],
) {
  const log = ctx.logger.child('meetings');
  const onAgendaError = (provider: string, error: unknown) => log.error(`agenda provider ${provider} failed`, error);

  // RSVP from the reminder DM, `/cop meeting` or the App Home.
  routes.action(/^meetings:rsvp_(yes|no)$/, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = clickBody.safeParse(body);
    if (!parsed.success) return;
    const { user, container, actions } = parsed.data;
    const action = actions[0]!;
    const coming = action.action_id === views.ACTION_RSVP_YES;
    // The value is the occurrence id; anything else (a forged click) finds no meeting.
    const occurrenceId = idOf(action.value);
    const occurrence = occurrenceId ? await repo.findOccurrence(ctx.db, occurrenceId) : undefined;
    const meeting = occurrence ? await repo.findMeetingById(ctx.db, occurrence.meeting_id) : undefined;
    const cop = meeting ? await ctx.community.copById(meeting.cop_id) : undefined;
    if (!occurrence || !meeting || !cop) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That meeting no longer exists.' });
      return;
    }
    if (!(await ctx.community.isMember(cop.id, user.id))) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_A_MEMBER });
      return;
    }
    const now = ctx.clock.now();
    if (occurrence.ends_at.getTime() <= now.getTime()) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That meeting is over.' });
      return;
    }
    await repo.setRsvp(ctx.db, occurrence.id, user.id, coming, now);
    const zone = await zoneOf(ctx.db, client, log, user.id, cop.team_id, now, meeting.time_zone);

    if (container?.type === 'view') {
      await ctx.refreshHome(user.id);
    } else if (container?.is_ephemeral) {
      const data = await meetingViewData(ctx.db, ctx.community, providers(), cop, user.id, zone, now, onAgendaError);
      await respond({ response_type: 'ephemeral', replace_original: true, ...views.meetingMessage(data) });
    } else if (container?.channel_id && container.message_ts) {
      // The reminder DM: redrawn in place with the answer (and today's agenda). Only the
      // clicker's own reminder: a click claiming another bot message (say, a proposal in the
      // home channel) must not overwrite it.
      const sent = await findSentDm(ctx.db, reminderKey(meeting.id, occurrence.starts_at, user.id));
      if (sent?.channel_id === container.channel_id && sent.message_ts === container.message_ts) {
        const occasion = { occurrenceId: occurrence.id, startsAt: occurrence.starts_at, meeting };
        const agenda = await agendaFor(ctx.db, providers(), cop, occasion, user.id, onAgendaError);
        const dm = views.reminderDm({ occasion, channelId: cop.channel_id, zone, agenda, coming });
        await client.chat.update({ channel: container.channel_id, ts: container.message_ts, ...dm });
      } else {
        await respond({ response_type: 'ephemeral', replace_original: false, text: views.rsvpStatusText(coming) });
      }
    }
    await updateAnnouncement(client, occurrence.meeting_id, occurrence.id, occurrence.starts_at).catch(
      (error: unknown) => log.warn(`updating the announcement of meeting ${meeting.id} failed`, error),
    );
  });

  /** The home channel's "reminders went out; N coming" note, kept current as people answer. */
  async function updateAnnouncement(client: WebClient, meetingId: number, occurrenceId: number, startsAt: Date) {
    const sent = await findSentDm(ctx.db, announcementKey(meetingId, startsAt));
    if (!sent || sent.status !== 'sent' || !sent.channel_id || !sent.message_ts) return;
    const meeting = await repo.findMeetingById(ctx.db, meetingId);
    if (!meeting) return;
    const coming = (await repo.listRsvps(ctx.db, occurrenceId)).filter((r) => r.coming).length;
    await client.chat.update({
      channel: sent.channel_id,
      ts: sent.message_ts,
      text: views.announcementText(startsAt, meeting, coming),
    });
  }

  routes.action(views.ACTION_SCHEDULE, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = clickBody.safeParse(body);
    if (!parsed.success || !parsed.data.trigger_id) return;
    const copId = idOf(parsed.data.actions[0]!.value);
    const cop = copId ? await ctx.community.copById(copId) : undefined;
    if (!cop || !(await ctx.community.isCoordinator(cop.id, parsed.data.user.id))) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_A_COORDINATOR });
      return;
    }
    const meeting = await repo.findMeeting(ctx.db, cop.id);
    const zone = await zoneOf(ctx.db, client, log, parsed.data.user.id, cop.team_id, ctx.clock.now(), 'UTC');
    await client.views.open({ trigger_id: parsed.data.trigger_id, view: scheduleModal(cop.id, meeting, zone) });
  });

  onViewSubmission(routes, views.CALLBACK_SCHEDULE, async ({ ack, body, client }) => {
    const parsed = submission.safeParse(body);
    const meta = z.object({ copId: z.number() }).safeParse(safeJson(parsed.data?.view.private_metadata));
    if (!parsed.success || !meta.success) {
      await ack({ response_action: 'errors', errors: { weekday: 'Something is off with this form; open it again.' } });
      return;
    }
    const userId = parsed.data.user.id;
    const cop = await ctx.community.copById(meta.data.copId);
    if (!cop || !(await ctx.community.isCoordinator(cop.id, userId))) {
      await ack({ response_action: 'errors', errors: { weekday: NOT_A_COORDINATOR } });
      return;
    }
    const values = parsed.data.view.state.values;
    const fields: (keyof ScheduleForm)[] = ['weekday', 'time', 'zone', 'length', 'location', 'lead', 'skip'];
    const form = Object.fromEntries(fields.map((f) => [f, read(values, f)])) as ScheduleForm;
    const result = parseScheduleForm(form);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    await ack();
    const now = ctx.clock.now();
    const changed = (await repo.findMeeting(ctx.db, cop.id)) !== undefined;
    const { meeting, next, cancelled } = await scheduleMeeting(ctx.db, cop.id, result.input, userId, now);
    log.info(
      `meeting of cop ${cop.id} scheduled by a coordinator` +
        (cancelled ? `; ${cancelled} unsent reminders for the old time cancelled` : ''),
    );
    await client.chat.postMessage({
      channel: cop.channel_id,
      text: views.scheduledText(meeting, userId, next, changed),
    });
  });

  routes.action(views.ACTION_ATTENDANCE, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = clickBody.safeParse(body);
    if (!parsed.success || !parsed.data.trigger_id) return;
    const [copId, iso] = (parsed.data.actions[0]!.value ?? '').split(/:(.*)/s);
    const id = idOf(copId);
    const cop = id ? await ctx.community.copById(id) : undefined;
    if (!cop || !(await ctx.community.isCoordinator(cop.id, parsed.data.user.id))) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: NOT_A_COORDINATOR });
      return;
    }
    const meeting = await repo.findMeeting(ctx.db, cop.id);
    const startsAt = new Date(iso ?? '');
    const now = ctx.clock.now();
    const real =
      meeting &&
      !Number.isNaN(startsAt.getTime()) &&
      startsAt.getTime() <= now.getTime() &&
      nextOccurrence(ruleOf(meeting), new Date(startsAt.getTime() - 1))?.getTime() === startsAt.getTime();
    if (!meeting || !real) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That meeting did not happen.' });
      return;
    }
    const occurrence = await repo.findOccurrenceAt(ctx.db, meeting.id, startsAt);
    if (!occurrence) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That meeting did not happen.' });
      return;
    }
    const initial = occurrence.attendance_recorded_at
      ? await repo.listAttendance(ctx.db, occurrence.id)
      : (await repo.listRsvps(ctx.db, occurrence.id)).filter((r) => r.coming).map((r) => r.user_id);
    const label = `${formatInZone(startsAt, meeting.time_zone)} (${meeting.time_zone})`;
    await client.views.open({
      trigger_id: parsed.data.trigger_id,
      view: attendanceModal(occurrence.id, label, initial),
    });
  });

  onViewSubmission(routes, views.CALLBACK_ATTENDANCE, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const meta = z.object({ occurrenceId: z.number() }).safeParse(safeJson(parsed.data?.view.private_metadata));
    const occurrence = meta.success ? await repo.findOccurrence(ctx.db, meta.data.occurrenceId) : undefined;
    const meeting = occurrence ? await repo.findMeetingById(ctx.db, occurrence.meeting_id) : undefined;
    if (!parsed.success || !occurrence || !meeting) {
      await ack({ response_action: 'errors', errors: { attendees: 'That meeting no longer exists.' } });
      return;
    }
    const userId = parsed.data.user.id;
    if (!(await ctx.community.isCoordinator(meeting.cop_id, userId))) {
      await ack({ response_action: 'errors', errors: { attendees: NOT_A_COORDINATOR } });
      return;
    }
    const selected = parsed.data.view.state.values.attendees?.attendees?.selected_users ?? [];
    await ack();
    await repo.recordAttendance(ctx.db, occurrence.id, [...new Set(selected)], userId, ctx.clock.now());
    log.info(
      `attendance recorded for meeting ${meeting.id} on ${occurrence.starts_at.toISOString()}: ${selected.length}`,
    );
  });
}

/** A database id from a button's value, or undefined if the value is not one (a forged click). */
function idOf(value: string | undefined): number | undefined {
  const id = Number(value);
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? id : undefined;
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
