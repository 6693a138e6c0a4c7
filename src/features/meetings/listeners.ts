import { z } from 'zod';
import { NOT_A_COORDINATOR, NOT_A_MEMBER } from '../refusals';
import type { ActionArgs, SuggestionArgs, ViewSubmissionArgs } from '../../slack/listener-args';
import type { SlackRoutes } from '../../slack/routes';
import { onViewSubmission } from '../../slack/submission-deadline';
import type { AppLogger } from '../../logger';
import type { FeatureContext } from '../types';
import { attendanceModal, scheduleModal } from './modals';
import { parseScheduleForm, type ScheduleForm } from './rules';
import type { MeetingsService, RsvpOutcome } from './service';
import * as views from './views';
import { zoneOf } from './zones';
import { zoneChoices } from './zone-choices';
import { postOnce } from '../../slack/post';

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
const SCHEDULE_FIELDS: (keyof ScheduleForm)[] = ['weekday', 'time', 'zone', 'length', 'location', 'lead', 'skip'];

interface Deps {
  readonly ctx: FeatureContext;
  readonly service: MeetingsService;
  /** The feature's own logger. */
  readonly log: AppLogger;
}

/** Meetings' buttons and modals: RSVP, the schedule form, the attendance form. */
export function registerMeetingListeners(routes: SlackRoutes, deps: Deps): void {
  // RSVP from the reminder DM, `/cop meeting` or the App Home.
  routes.action(/^meetings:rsvp_(yes|no)$/, (args: ActionArgs) => answerRsvp(deps, args));
  routes.action(views.ACTION_SCHEDULE, (args: ActionArgs) => openScheduleForm(deps, args));
  routes.suggestions('zone', (args) => suggestZones(deps, args));
  onViewSubmission(routes, views.CALLBACK_SCHEDULE, (args) => saveSchedule(deps, args));
  routes.action(views.ACTION_ATTENDANCE, (args: ActionArgs) => openAttendanceForm(deps, args));
  onViewSubmission(routes, views.CALLBACK_ATTENDANCE, (args) => saveAttendance(deps, args));
}

const RSVP_REFUSALS: Record<Exclude<RsvpOutcome['kind'], 'saved'>, string> = {
  gone: 'That meeting no longer exists.',
  'not-member': NOT_A_MEMBER,
  over: 'That meeting is over.',
};

async function answerRsvp({ ctx, service, log }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = clickBody.safeParse(body);
  if (!parsed.success) return;
  const { user, container, actions } = parsed.data;
  const coming = actions[0]!.action_id === views.ACTION_RSVP_YES;
  const now = ctx.clock.now();
  // The value is the occurrence id; anything else (a forged click) finds no meeting.
  const outcome = await service.rsvp(idOf(actions[0]!.value), user.id, coming, now);
  if (outcome.kind !== 'saved') {
    await respond({ response_type: 'ephemeral', replace_original: false, text: RSVP_REFUSALS[outcome.kind] });
    return;
  }
  const { cop, meeting, occasion } = outcome;
  const zone = await zoneOf(ctx.db, client, log, user.id, cop.team_id, now, meeting.time_zone);
  if (container?.type === 'view') {
    await ctx.refreshHome(user.id);
  } else if (container?.is_ephemeral) {
    const data = await service.viewData(cop, user.id, zone, now);
    await respond({ response_type: 'ephemeral', replace_original: true, ...views.meetingMessage(data) });
  } else if (container?.channel_id && container.message_ts) {
    // The reminder DM: redrawn in place with the answer (and today's agenda). Only the clicker's
    // own reminder: a click claiming another bot message (a proposal, say) must not overwrite it.
    if (await service.isOwnReminder(occasion, user.id, container.channel_id, container.message_ts)) {
      const agenda = await service.agenda(cop, occasion, user.id);
      const dm = views.reminderDm({ occasion, channelId: cop.channel_id, zone, agenda, coming });
      await client.chat.update({ channel: container.channel_id, ts: container.message_ts, ...dm });
    } else {
      await respond({ response_type: 'ephemeral', replace_original: false, text: views.rsvpStatusText(coming) });
    }
  }
  // The home channel's "reminders went out; N coming" note, kept current as people answer.
  const note = await service.announcement(occasion).catch(() => undefined);
  if (!note) return;
  await client.chat
    .update({
      channel: note.channelId,
      ts: note.messageTs,
      text: views.announcementText(occasion.startsAt, note.meeting, note.coming),
    })
    .catch((error: unknown) => log.warn(`updating the announcement of meeting ${meeting.id} failed`, error));
}

async function openScheduleForm(
  { ctx, service, log }: Deps,
  { ack, body, client, respond }: ActionArgs,
): Promise<void> {
  await ack();
  const parsed = clickBody.safeParse(body);
  if (!parsed.success || !parsed.data.trigger_id) return;
  const { user, trigger_id, actions } = parsed.data;
  const cop = await service.coordinatedCop(idOf(actions[0]!.value), user.id);
  if (!cop) return refuse(respond, NOT_A_COORDINATOR);
  const meeting = await service.meetingOf(cop.id);
  const zone = await zoneOf(ctx.db, client, log, user.id, cop.team_id, ctx.clock.now(), 'UTC');
  await client.views.open({ trigger_id, view: scheduleModal(cop.id, meeting, zone) });
}

/** The schedule form's zone, as the coordinator types: their own Slack zone first. */
async function suggestZones({ service }: Deps, { ack, payload }: SuggestionArgs): Promise<void> {
  if (payload.view?.callback_id !== views.CALLBACK_SCHEDULE) return ack({ options: [] });
  // The cache only: this answer is the ack, due within 3 seconds. Opening the form refreshed it.
  const own = await service.cachedZoneOf(payload.user.id).catch(() => undefined);
  const options = zoneChoices(payload.value, [own]).map((zone) => ({
    text: { type: 'plain_text' as const, text: zone === own ? `${zone} (your zone)` : zone },
    value: zone,
  }));
  await ack({ options });
}

async function saveSchedule({ ctx, service, log }: Deps, { ack, body, client }: ViewSubmissionArgs): Promise<void> {
  const parsed = submission.safeParse(body);
  const meta = z.object({ copId: z.number() }).safeParse(safeJson(parsed.data?.view.private_metadata));
  if (!parsed.success || !meta.success) {
    await ack({ response_action: 'errors', errors: { weekday: 'Something is off with this form; open it again.' } });
    return;
  }
  const userId = parsed.data.user.id;
  const cop = await service.coordinatedCop(meta.data.copId, userId);
  if (!cop) {
    await ack({ response_action: 'errors', errors: { weekday: NOT_A_COORDINATOR } });
    return;
  }
  const values = parsed.data.view.state.values;
  const result = parseScheduleForm(Object.fromEntries(SCHEDULE_FIELDS.map((f) => [f, read(values, f)])));
  if (!result.ok) {
    await ack({ response_action: 'errors', errors: result.errors });
    return;
  }
  await ack();
  const { meeting, next, cancelled, changed } = await service.schedule(cop, result.input, userId, ctx.clock.now());
  log.info(
    `meeting of cop ${cop.id} scheduled by a coordinator` +
      (cancelled ? `; ${cancelled} unsent reminders for the old time cancelled` : ''),
  );
  await postOnce(client, { channel: cop.channel_id, text: views.scheduledText(meeting, userId, next, changed) });
}

async function openAttendanceForm({ ctx, service }: Deps, { ack, body, client, respond }: ActionArgs): Promise<void> {
  await ack();
  const parsed = clickBody.safeParse(body);
  if (!parsed.success || !parsed.data.trigger_id) return;
  // The value is "<cop id>:<the meeting's start, ISO>".
  const [copId, iso] = (parsed.data.actions[0]!.value ?? '').split(/:(.*)/s);
  const form = await service.attendanceForm(idOf(copId), new Date(iso ?? ''), parsed.data.user.id, ctx.clock.now());
  if (form.kind === 'not-coordinator') return refuse(respond, NOT_A_COORDINATOR);
  if (form.kind === 'no-meeting') return refuse(respond, 'That meeting did not happen.');
  const label = views.whenForAll(form.startsAt, form.meeting);
  await client.views.open({
    trigger_id: parsed.data.trigger_id,
    view: attendanceModal(form.occurrenceId, label, form.initial),
  });
}

async function saveAttendance({ ctx, service, log }: Deps, { ack, body }: ViewSubmissionArgs): Promise<void> {
  const parsed = submission.safeParse(body);
  const meta = z.object({ occurrenceId: z.number() }).safeParse(safeJson(parsed.data?.view.private_metadata));
  if (!parsed.success || !meta.success) {
    await ack({ response_action: 'errors', errors: { attendees: 'That meeting no longer exists.' } });
    return;
  }
  const userId = parsed.data.user.id;
  const target = await service.attendanceTarget(meta.data.occurrenceId, userId);
  if (target === 'gone' || target === 'not-coordinator') {
    const error = target === 'gone' ? 'That meeting no longer exists.' : NOT_A_COORDINATOR;
    await ack({ response_action: 'errors', errors: { attendees: error } });
    return;
  }
  const selected = parsed.data.view.state.values.attendees?.attendees?.selected_users ?? [];
  await ack();
  const count = await service.recordAttendance(target.occurrenceId, selected, userId, ctx.clock.now());
  log.info(`attendance recorded for meeting ${target.meeting.id} on ${target.startsAt.toISOString()}: ${count}`);
}

function refuse(respond: ActionArgs['respond'], text: string): Promise<void> {
  return respond({ response_type: 'ephemeral', replace_original: false, text }).then(() => undefined);
}

/** An input's value by block and action id (both the same in our modals). */
function read(values: State, id: string): string | null {
  const v = values[id]?.[id];
  return v?.value ?? v?.selected_option?.value ?? v?.selected_time ?? null;
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
