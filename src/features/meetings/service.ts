import type { Db } from '../../db/database';
import type { Cop, Meeting } from '../../db/schema';
import type { Community } from '../types';
import { loadAgenda, type AgendaProvider, type AgendaSection } from './agenda';
import type { AppLogger } from '../../logger';
import { findSentDm } from '../../slack/outbox';
import { announcementKey, memberReminderPattern, reminderKey, reminderKeyPrefix } from './reminders';
import * as repo from './repository';
import { endOf, ruleOf, streakOf, upcomingStart, type MeetingInput } from './rules';
import { nextOccurrence, previousOccurrence } from './schedule';
import type { MeetingViewData, Occasion } from './views';

/** The meeting people mean by "next" at `now`, with its occurrence row (created on first need). */
export async function upcomingOccasion(
  db: Db,
  meeting: Meeting,
  now: Date,
): Promise<{ occasion: Occasion; inProgress: boolean } | undefined> {
  const upcoming = upcomingStart(meeting, now);
  if (!upcoming) return undefined;
  const row = await repo.ensureOccurrence(db, meeting.id, upcoming.startsAt, endOf(meeting, upcoming.startsAt));
  return { occasion: { occurrenceId: row.id, startsAt: upcoming.startsAt, meeting }, inProgress: upcoming.inProgress };
}

export async function agendaFor(
  db: Db,
  providers: readonly AgendaProvider[],
  cop: Cop,
  occasion: Occasion,
  userId: string,
  onError: (provider: string, error: unknown) => void,
): Promise<AgendaSection[]> {
  const previous = previousOccurrence(ruleOf(occasion.meeting), new Date(occasion.startsAt.getTime() - 1));
  const load = await loadAgenda(
    providers,
    { db, cop, occurrenceId: occasion.occurrenceId, since: previous ?? null, startsAt: occasion.startsAt },
    onError,
  );
  return load(userId);
}

export async function streak(db: Db, meetingId: number, userId: string): Promise<number> {
  return streakOf(await repo.attendanceHistory(db, meetingId, userId));
}

/** Everything `/cop meeting` shows to one viewer. */
export async function meetingViewData(
  db: Db,
  community: Community,
  providers: readonly AgendaProvider[],
  cop: Cop,
  viewerId: string,
  viewerZone: string,
  now: Date,
  onError: (provider: string, error: unknown) => void,
): Promise<MeetingViewData> {
  const meeting = await repo.findMeeting(db, cop.id);
  const coordinator = await community.isCoordinator(cop.id, viewerId);
  const base = {
    meeting,
    viewerZone,
    viewerId,
    isCoordinator: coordinator,
    copId: cop.id,
    occasion: undefined,
    inProgress: false,
    agenda: [],
    rsvps: [],
    streak: 0,
    last: undefined,
    remindersOff: await repo.isOptedOut(db, cop.id, viewerId),
  };
  if (!meeting) return base;
  const upcoming = await upcomingOccasion(db, meeting, now);
  const lastStart = previousOccurrence(ruleOf(meeting), now);
  let last: MeetingViewData['last'];
  if (lastStart) {
    const recorded = await db
      .selectFrom('meeting_occurrences')
      .select('attendance_recorded_at')
      .where('meeting_id', '=', meeting.id)
      .where('starts_at', '=', lastStart)
      .executeTakeFirst();
    // Only a meeting that was on the schedule when it happened (its row was made when it was
    // next), not a date before the meeting was first scheduled.
    if (recorded) last = { copId: cop.id, startsAt: lastStart, recorded: Boolean(recorded.attendance_recorded_at) };
  }
  const result: MeetingViewData = { ...base, last, streak: await streak(db, meeting.id, viewerId) };
  if (!upcoming) return result;
  return {
    ...result,
    occasion: upcoming.occasion,
    inProgress: upcoming.inProgress,
    agenda: await agendaFor(db, providers, cop, upcoming.occasion, viewerId, onError),
    rsvps: await repo.listRsvps(db, upcoming.occasion.occurrenceId),
  };
}

/** Saves the schedule; topics added for a date the new schedule drops move to its next meeting. */
export async function scheduleMeeting(
  db: Db,
  copId: number,
  input: MeetingInput,
  by: string,
  now: Date,
): Promise<{ meeting: Meeting; next: Date | undefined; cancelled: number }> {
  return db.transaction().execute(async (trx) => {
    const meeting = await repo.saveMeeting(trx, copId, input, by, now);
    const next = nextOccurrence(ruleOf(meeting), now);
    const cancelled = await repo.cancelMovedReminders(trx, meeting.id, now, next, (start) =>
      reminderKeyPrefix(meeting.id, start),
    );
    if (next) {
      const row = await repo.ensureOccurrence(trx, meeting.id, next, endOf(meeting, next));
      await repo.moveStrandedTopics(trx, meeting.id, now, next, row.id);
    }
    return { meeting, next, cancelled };
  });
}

/** Where a topic goes: the next meeting that has not started yet. */
export async function addTopic(db: Db, meeting: Meeting, userId: string, text: string, now: Date) {
  const next = nextOccurrence(ruleOf(meeting), now);
  if (!next) return undefined;
  const row = await repo.ensureOccurrence(db, meeting.id, next, endOf(meeting, next));
  await repo.addTopic(db, row.id, userId, text, now);
  return next;
}

/** What happened to an RSVP click. */
export type RsvpOutcome =
  | { kind: 'gone' }
  | { kind: 'not-member' }
  | { kind: 'over' }
  | { kind: 'saved'; cop: Cop; meeting: Meeting; occasion: Occasion };

/** A past meeting whose attendance a coordinator may record, with who to tick at first. */
export type AttendanceForm =
  | { kind: 'not-coordinator' }
  | { kind: 'no-meeting' }
  | { kind: 'ok'; occurrenceId: number; meeting: Meeting; startsAt: Date; initial: string[] };

export interface MeetingsDeps {
  readonly db: Db;
  readonly community: Community;
  readonly providers: readonly AgendaProvider[];
  readonly logger: AppLogger;
}

/**
 * The meetings feature's rules and storage, for its listeners and subcommands: each answers
 * one question people ask of a meeting, or makes one change, and returns data for the views.
 */
export class MeetingsService {
  constructor(private readonly deps: MeetingsDeps) {}

  private readonly onAgendaError = (provider: string, error: unknown) =>
    this.deps.logger.error(`agenda provider ${provider} failed`, error);

  /** A user's zone as last read from Slack (no API call), if any. */
  async cachedZoneOf(userId: string): Promise<string | undefined> {
    return (await repo.findUserTz(this.deps.db, userId))?.tz ?? undefined;
  }

  meetingOf(copId: number): Promise<Meeting | undefined> {
    return repo.findMeeting(this.deps.db, copId);
  }

  /** The App Home's meeting section for one viewer: the next meeting, their answer, their streak. */
  async homeData(meeting: Meeting | undefined, viewerId: string, viewerZone: string, now: Date) {
    const { db } = this.deps;
    if (!meeting) return { occasion: undefined, viewerZone, coming: undefined, streak: 0 };
    const upcoming = await upcomingOccasion(db, meeting, now);
    const rsvps = upcoming ? await repo.listRsvps(db, upcoming.occasion.occurrenceId) : [];
    return {
      occasion: upcoming?.occasion,
      viewerZone,
      coming: rsvps.find((r) => r.user_id === viewerId)?.coming,
      streak: await streak(db, meeting.id, viewerId),
    };
  }

  /** Everything `/cop meeting` shows to one viewer. */
  viewData(cop: Cop, viewerId: string, viewerZone: string, now: Date): Promise<MeetingViewData> {
    const { db, community, providers } = this.deps;
    return meetingViewData(db, community, providers, cop, viewerId, viewerZone, now, this.onAgendaError);
  }

  agenda(cop: Cop, occasion: Occasion, userId: string): Promise<AgendaSection[]> {
    return agendaFor(this.deps.db, this.deps.providers, cop, occasion, userId, this.onAgendaError);
  }

  /** Records a member's answer for a meeting that is still ahead (or in progress). */
  async rsvp(occurrenceId: number | undefined, userId: string, coming: boolean, now: Date): Promise<RsvpOutcome> {
    const { db, community } = this.deps;
    const occurrence = occurrenceId ? await repo.findOccurrence(db, occurrenceId) : undefined;
    const meeting = occurrence ? await repo.findMeetingById(db, occurrence.meeting_id) : undefined;
    const cop = meeting ? await community.copById(meeting.cop_id) : undefined;
    if (!occurrence || !meeting || !cop) return { kind: 'gone' };
    if (!(await community.isMember(cop.id, userId))) return { kind: 'not-member' };
    if (occurrence.ends_at.getTime() <= now.getTime()) return { kind: 'over' };
    await repo.setRsvp(db, occurrence.id, userId, coming, now);
    return {
      kind: 'saved',
      cop,
      meeting,
      occasion: { occurrenceId: occurrence.id, startsAt: occurrence.starts_at, meeting },
    };
  }

  /** Whether this message is the user's own reminder DM for the occasion (what an RSVP may redraw). */
  async isOwnReminder(occasion: Occasion, userId: string, channelId: string, messageTs: string): Promise<boolean> {
    const key = reminderKey(occasion.meeting.id, occasion.startsAt, userId);
    const sent = await findSentDm(this.deps.db, key);
    return sent?.channel_id === channelId && sent.message_ts === messageTs;
  }

  /** The home channel's "reminders went out" note for the occasion, if sent, with how many are coming. */
  async announcement(
    occasion: Occasion,
  ): Promise<{ channelId: string; messageTs: string; meeting: Meeting; coming: number } | undefined> {
    const { db } = this.deps;
    const sent = await findSentDm(db, announcementKey(occasion.meeting.id, occasion.startsAt));
    if (!sent || sent.status !== 'sent' || !sent.channel_id || !sent.message_ts) return undefined;
    const meeting = await repo.findMeetingById(db, occasion.meeting.id);
    if (!meeting) return undefined;
    const coming = (await repo.listRsvps(db, occasion.occurrenceId)).filter((r) => r.coming).length;
    return { channelId: sent.channel_id, messageTs: sent.message_ts, meeting, coming };
  }

  /** The CoP, when the user coordinates it (who may schedule and record attendance). */
  async coordinatedCop(copId: number | undefined, userId: string): Promise<Cop | undefined> {
    const cop = copId ? await this.deps.community.copById(copId) : undefined;
    return cop && (await this.deps.community.isCoordinator(cop.id, userId)) ? cop : undefined;
  }

  /** Saves a coordinator's schedule; `changed` when it replaced one. */
  async schedule(cop: Cop, input: MeetingInput, by: string, now: Date) {
    const changed = (await repo.findMeeting(this.deps.db, cop.id)) !== undefined;
    return { ...(await scheduleMeeting(this.deps.db, cop.id, input, by, now)), changed };
  }

  /** The attendance form for a meeting that happened on its schedule at `startsAt`. */
  async attendanceForm(copId: number | undefined, startsAt: Date, userId: string, now: Date): Promise<AttendanceForm> {
    const { db } = this.deps;
    const cop = await this.coordinatedCop(copId, userId);
    if (!cop) return { kind: 'not-coordinator' };
    const meeting = await repo.findMeeting(db, cop.id);
    if (!meeting || !happenedAt(meeting, startsAt, now)) return { kind: 'no-meeting' };
    const occurrence = await repo.findOccurrenceAt(db, meeting.id, startsAt);
    if (!occurrence) return { kind: 'no-meeting' };
    const initial = occurrence.attendance_recorded_at
      ? await repo.listAttendance(db, occurrence.id)
      : (await repo.listRsvps(db, occurrence.id)).filter((r) => r.coming).map((r) => r.user_id);
    return { kind: 'ok', occurrenceId: occurrence.id, meeting, startsAt, initial };
  }

  /** The past meeting whose attendance this user may record: a coordinator's only. */
  async attendanceTarget(
    occurrenceId: number,
    by: string,
  ): Promise<'gone' | 'not-coordinator' | { meeting: Meeting; occurrenceId: number; startsAt: Date }> {
    const { db, community } = this.deps;
    const occurrence = await repo.findOccurrence(db, occurrenceId);
    const meeting = occurrence ? await repo.findMeetingById(db, occurrence.meeting_id) : undefined;
    if (!occurrence || !meeting) return 'gone';
    if (!(await community.isCoordinator(meeting.cop_id, by))) return 'not-coordinator';
    return { meeting, occurrenceId: occurrence.id, startsAt: occurrence.starts_at };
  }

  /** Records who attended (see attendanceTarget for who may); how many. */
  async recordAttendance(occurrenceId: number, attendees: string[], by: string, now: Date): Promise<number> {
    const unique = [...new Set(attendees)];
    await repo.recordAttendance(this.deps.db, occurrenceId, unique, by, now);
    return unique.length;
  }

  /** `/cop topic`: adds to the next meeting's agenda; its start, or undefined without one. */
  async addTopic(copId: number, userId: string, text: string, now: Date) {
    const meeting = await repo.findMeeting(this.deps.db, copId);
    const next = meeting ? await addTopic(this.deps.db, meeting, userId, text, now) : undefined;
    return meeting && next ? { meeting, next } : undefined;
  }

  /** `/cop reminders on|off`; turning them off also cancels a reminder still waiting to be sent. */
  async setReminders(copId: number, userId: string, on: boolean, now: Date): Promise<void> {
    const { db } = this.deps;
    await repo.setOptOut(db, copId, userId, !on, now);
    if (on) return;
    const meeting = await repo.findMeeting(db, copId);
    if (meeting) await repo.cancelPendingReminders(db, memberReminderPattern(meeting.id, userId));
  }
}

/** Whether the meeting was on its schedule at `startsAt`, in the past (not a forged date). */
function happenedAt(meeting: Meeting, startsAt: Date, now: Date): boolean {
  if (Number.isNaN(startsAt.getTime()) || startsAt.getTime() > now.getTime()) return false;
  return nextOccurrence(ruleOf(meeting), new Date(startsAt.getTime() - 1))?.getTime() === startsAt.getTime();
}
