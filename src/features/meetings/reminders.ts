import type { Db } from '../../db/database';
import type { Cop, Meeting } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Community } from '../types';
import { enqueueDms, type OutgoingDm } from '../../slack/outbox';
import { loadAgenda, type AgendaProvider } from './agenda';
import * as repo from './repository';
import { endOf, ruleOf } from './rules';
import { dueReminder, isValidZone, nextOccurrence, previousOccurrence, reminderTime } from './schedule';
import { announcementText, reminderDm } from './views';
import { isStale } from './zones';

export const reminderKeyPrefix = (meetingId: number, startsAt: Date): string =>
  `reminder:${meetingId}:${startsAt.toISOString()}:`;
export const reminderKey = (meetingId: number, startsAt: Date, userId: string): string =>
  `${reminderKeyPrefix(meetingId, startsAt)}${userId}`;
/** Every reminder of one member for a meeting, whatever the occurrence (a LIKE pattern). */
export const memberReminderPattern = (meetingId: number, userId: string): string => `reminder:${meetingId}:%:${userId}`;
export const announcementKey = (meetingId: number, startsAt: Date): string =>
  `meeting-announcement:${meetingId}:${startsAt.toISOString()}`;

/** Past this many members whose cached zone is missing or old, refresh the whole cache from users.list. */
export const REFRESH_USERS_THRESHOLD = 20;
/** How long before a reminder is due the members' old cached zones are read again. */
const PREFETCH_ZONES_MS = 30 * 60_000;

export interface ReminderDeps {
  readonly db: Db;
  /** Which CoP a meeting belongs to (the community port). */
  readonly community: Pick<Community, 'copById'>;
  readonly logger: AppLogger;
  readonly providers: readonly AgendaProvider[];
  /** Fills slack_users (zones, bots) from users.list pages; used when many members' zones are missing or old. */
  readonly refreshUsers: (teamId: string, now: Date) => Promise<unknown>;
  /** Re-reads one user (zone, bot, deactivated) into slack_users; for the few whose cache is old. */
  readonly refreshUser?: (userId: string, teamId: string, now: Date) => Promise<unknown>;
}

/**
 * One tick of the reminder job: for each meeting whose next occurrence's reminder time has come
 * (and which is still ahead), queue one DM per member who has not opted out, and the home
 * channel's announcement, in the transaction that marks the occurrence's reminders as queued.
 * The outbox drain (last job of the tick) sends them, once each, on any number of instances.
 */
export async function queueDueReminders(deps: ReminderDeps, now: Date): Promise<void> {
  for (const meeting of await repo.listMeetings(deps.db)) {
    try {
      await queueForMeeting(deps, meeting, now);
    } catch (error) {
      deps.logger.error(`queueing reminders for meeting ${meeting.id} failed`, error);
    }
  }
  await logSettledRuns(deps, now);
}

async function queueForMeeting(deps: ReminderDeps, meeting: Meeting, now: Date): Promise<void> {
  const { db, logger } = deps;
  const rule = ruleOf(meeting);
  const startsAt = dueReminder(rule, meeting.lead_minutes, now);
  if (!startsAt) {
    await prefetchZones(deps, meeting, now);
    return;
  }
  const occurrence = await repo.ensureOccurrence(db, meeting.id, startsAt, endOf(meeting, startsAt));
  if (occurrence.reminders_queued_at) return;
  const cop = await deps.community.copById(meeting.cop_id);
  if (!cop) return;

  const audience = await freshAudience(deps, cop.id, cop.team_id, now);

  const previous = previousOccurrence(rule, new Date(startsAt.getTime() - 1));
  const agendaFor = await loadAgenda(
    deps.providers,
    { db, cop, occurrenceId: occurrence.id, since: previous ?? null, startsAt },
    (provider, error) => logger.error(`agenda provider ${provider} failed for meeting ${meeting.id}`, error),
  );

  const result = await db.transaction().execute(async (trx) => {
    // The claim: whoever locks the row first and finds it unqueued does the fan-out.
    const locked = await repo.lockOccurrence(trx, occurrence.id);
    if (locked.reminders_queued_at) return undefined;
    const rsvps = await repo.listRsvps(trx, occurrence.id);
    const coming = new Map(rsvps.map((r) => [r.user_id, r.coming]));
    const occasion = { occurrenceId: occurrence.id, startsAt, meeting };
    const recipients = audience.filter((a) => !a.isBot && !a.optedOut);
    let fallbackZone = 0;
    const messages: OutgoingDm[] = recipients.map((member) => {
      const zone = member.tz && isValidZone(member.tz) ? member.tz : meeting.time_zone;
      if (zone !== member.tz) fallbackZone += 1;
      const dm = reminderDm({
        occasion,
        channelId: cop.channel_id,
        zone,
        agenda: agendaFor(member.userId),
        coming: coming.get(member.userId),
      });
      return {
        dedupeKey: reminderKey(meeting.id, startsAt, member.userId),
        purpose: 'reminder',
        recipient: member.userId,
        text: dm.text,
        blocks: dm.blocks,
        notBefore: now,
        // Late is fine while the meeting is ahead; after it starts, a reminder is noise.
        expiresAt: startsAt,
      };
    });
    const queued = await enqueueDms(trx, messages);
    const comingCount = rsvps.filter((r) => r.coming).length;
    await enqueueDms(trx, [
      {
        dedupeKey: announcementKey(meeting.id, startsAt),
        purpose: 'meeting-announcement',
        recipient: cop.channel_id,
        text: announcementText(startsAt, meeting, comingCount),
        notBefore: now,
        expiresAt: startsAt,
      },
    ]);
    const skipped = audience.length - recipients.length;
    await repo.markRemindersQueued(trx, occurrence.id, now, queued, skipped);
    return { queued, skipped, fallbackZone, optedOut: audience.filter((a) => a.optedOut).length };
  });
  if (!result) return;
  const late = now.getTime() - (startsAt.getTime() - meeting.lead_minutes * 60_000);
  logger.info(
    `reminders for meeting ${meeting.id} on ${startsAt.toISOString()}: queued ${result.queued}, ` +
      `skipped ${result.skipped} (${result.optedOut} opted out, the rest bots or deactivated), ` +
      `${result.fallbackZone} in the meeting's zone for want of their own` +
      (late > 5 * 60_000 ? `; ${Math.round(late / 60_000)} minutes late (no instance was running)` : ''),
  );
}

/**
 * The members with their cached zones, old ones read again first (members move): one by one if
 * they are few, else the whole cache from users.list pages. A fan-out never looks every member
 * up one by one (users.info is Tier 4).
 */
async function freshAudience(deps: ReminderDeps, copId: number, teamId: string, now: Date) {
  const { db, logger } = deps;
  const audience = await repo.listReminderAudience(db, copId);
  const stale = audience.filter((a) => !a.isBot && !a.optedOut && isStale(a.checkedAt, now));
  if (stale.length === 0) return audience;
  if (stale.length > REFRESH_USERS_THRESHOLD || !deps.refreshUser) {
    try {
      await deps.refreshUsers(teamId, now);
    } catch (error) {
      logger.warn(`refreshing the user cache before reminders failed; using the cached zones`, error);
      return audience;
    }
  } else {
    let failed = 0;
    for (const member of stale) {
      await deps.refreshUser(member.userId, teamId, now).catch(() => (failed += 1));
    }
    if (failed)
      logger.warn(`re-reading ${failed} of ${stale.length} members' time zones failed; using the cached ones`);
  }
  return repo.listReminderAudience(db, copId);
}

/** Shortly before a reminder is due, old cached zones are read again, so the fan-out waits for none. */
async function prefetchZones(deps: ReminderDeps, meeting: Meeting, now: Date): Promise<void> {
  const next = nextOccurrence(ruleOf(meeting), now);
  if (!next) return;
  const untilDue = reminderTime(next, meeting.lead_minutes).getTime() - now.getTime();
  // A few ticks' window: after one refresh the zones are fresh and later ticks do nothing; users
  // that Slack cannot tell us about (e.g. from other organisations) are not asked for again and again.
  if (untilDue > PREFETCH_ZONES_MS || untilDue <= PREFETCH_ZONES_MS - 5 * 60_000) return;
  const cop = await deps.community.copById(meeting.cop_id);
  if (cop) await freshAudience(deps, cop.id, cop.team_id, now);
}

/** Logs how each queued run ended (sent, failed, expired, retries) once nothing is pending. */
async function logSettledRuns(deps: ReminderDeps, now: Date): Promise<void> {
  for (const run of await repo.listUnsettledRuns(deps.db)) {
    const outcome = await repo.outboxOutcome(deps.db, reminderKeyPrefix(run.meeting_id, run.starts_at));
    const count = (status: string) => outcome.filter((o) => o.status === status).reduce((n, o) => n + o.count, 0);
    const pending = count('pending');
    if (pending > 0 && run.starts_at.getTime() > now.getTime()) continue;
    if (!(await repo.markSettled(deps.db, run.id, now))) continue;
    const failed = outcome.filter((o) => o.status === 'failed' && o.lastError !== 'expired');
    const expired = outcome.filter((o) => o.lastError === 'expired').reduce((n, o) => n + o.count, 0);
    const attempts = outcome.reduce((n, o) => n + o.attempts, 0);
    const finished = count('sent') + failed.reduce((n, o) => n + o.count, 0);
    const reasons = failed.map((f) => `${f.count} ${f.lastError ?? 'unknown'}`).join(', ');
    deps.logger.info(
      `reminder run for meeting ${run.meeting_id} on ${run.starts_at.toISOString()} done: ` +
        `queued ${run.reminders_queued ?? 0}, sent ${count('sent')}, ` +
        `skipped ${(run.reminders_skipped ?? 0) + finished - count('sent') + expired} ` +
        `(${run.reminders_skipped ?? 0} opted out or bots, ${finished - count('sent')} failed${reasons ? `: ${reasons}` : ''}, ${expired} expired unsent), ` +
        `retried ${Math.max(0, attempts - finished - expired)}` +
        (pending ? `, ${pending} still pending at the meeting's start` : ''),
    );
  }
}

/**
 * A member who joins after the next meeting's reminders were queued, before it starts, gets
 * theirs too (the fan-out already passed them by). The same key as the fan-out's, so it is
 * still one DM per member per occurrence, however often they leave and join again.
 */
export async function queueForNewMember(
  deps: Pick<ReminderDeps, 'db' | 'logger' | 'providers'>,
  cop: Cop,
  userId: string,
  now: Date,
): Promise<void> {
  const { db } = deps;
  const meeting = await repo.findMeeting(db, cop.id);
  if (!meeting) return;
  const startsAt = nextOccurrence(ruleOf(meeting), now);
  if (!startsAt) return;
  const occurrence = await repo.findOccurrenceAt(db, meeting.id, startsAt);
  // Not queued yet: the regular fan-out will include them.
  if (!occurrence?.reminders_queued_at) return;
  if (await repo.isOptedOut(db, cop.id, userId)) return;
  const cached = await repo.findUserTz(db, userId);
  const zone = cached?.tz && isValidZone(cached.tz) ? cached.tz : meeting.time_zone;
  const previous = previousOccurrence(ruleOf(meeting), new Date(startsAt.getTime() - 1));
  const agendaFor = await loadAgenda(
    deps.providers,
    { db, cop, occurrenceId: occurrence.id, since: previous ?? null, startsAt },
    (provider, error) => deps.logger.error(`agenda provider ${provider} failed for meeting ${meeting.id}`, error),
  );
  const coming = (await repo.listRsvps(db, occurrence.id)).find((r) => r.user_id === userId)?.coming;
  const dm = reminderDm({
    occasion: { occurrenceId: occurrence.id, startsAt, meeting },
    channelId: cop.channel_id,
    zone,
    agenda: agendaFor(userId),
    coming,
  });
  const queued = await enqueueDms(db, [
    {
      dedupeKey: reminderKey(meeting.id, startsAt, userId),
      purpose: 'reminder',
      recipient: userId,
      text: dm.text,
      blocks: dm.blocks,
      notBefore: now,
      expiresAt: startsAt,
    },
  ]);
  if (queued)
    deps.logger.info(`reminder for meeting ${meeting.id} on ${startsAt.toISOString()} queued for a new member`);
}
