import type { Db } from '../../db/database';
import type { Cop, Meeting } from '../../db/schema';
import type { Community } from '../types';
import { loadAgenda, type AgendaProvider, type AgendaSection } from './agenda';
import { reminderKeyPrefix } from './reminders';
import * as repo from './repository';
import { endOf, ruleOf, streakOf, upcomingStart } from './rules';
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
  input: repo.MeetingInput,
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
