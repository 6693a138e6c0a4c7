import { refreshAllUsers, refreshUser } from '../../slack/users';
import type { Feature, FeatureContext } from '../types';
import { memberTopics, type AgendaProvider } from './agenda';
import { meetingSubcommands } from './commands';
import { registerAttendanceListeners } from './attendance-listeners';
import { meetingHealthFigures } from './health';
import { registerMeetingListeners } from './listeners';
import { queueDueReminders, queueForNewMember } from './reminders';
import { MeetingsService } from './service';
import { homeBlocks, homeCoordinatorBlocks } from './views';
import { zoneOf } from './zones';

export type { AgendaProvider, AgendaSection } from '../types';

export interface MeetingsOptions {
  /**
   * The other features' agenda sources (proposals awaiting the member's vote, struggles posted
   * since the last meeting), shown in order before the members' topics.
   */
  readonly agendaProviders?: readonly AgendaProvider[];
}

/** Recurring meetings, reminder DMs (once each, on time), RSVPs, topics and attendance. */
export function meetingsFeature(ctx: FeatureContext, options: MeetingsOptions = {}): Feature {
  const providers: readonly AgendaProvider[] = [...(options.agendaProviders ?? []), memberTopics];
  const log = ctx.logger.child('meetings');
  const service = new MeetingsService({ db: ctx.db, community: ctx.community, providers, logger: log });
  return {
    name: 'meetings',
    subcommands: meetingSubcommands({ ctx, service, log }),
    register: (routes) => {
      registerMeetingListeners(routes, { ctx, service, log });
      registerAttendanceListeners(routes, ctx);
    },
    healthFigures: meetingHealthFigures(ctx.db),
    onMemberJoined: (cop, userId) =>
      queueForNewMember({ db: ctx.db, logger: log, providers }, cop, userId, ctx.clock.now()),
    homeSection: async ({ cop, viewerId, coordinator }) => {
      const meeting = await service.meetingOf(cop.id);
      const now = ctx.clock.now();
      const zone = meeting
        ? await zoneOf(ctx.db, ctx.client, log, viewerId, cop.team_id, now, meeting.time_zone)
        : 'UTC';
      const data = await service.homeData(meeting, viewerId, zone, now);
      return homeBlocks({ ...data, copId: cop.id, scheduled: meeting !== undefined, coordinator });
    },
    homeCoordinatorSection: async ({ cop }) => {
      const meeting = await service.meetingOf(cop.id);
      return meeting ? homeCoordinatorBlocks(cop.id, meeting) : [];
    },
    jobs: [
      {
        name: 'meeting-reminders',
        run: (now) =>
          queueDueReminders(
            {
              db: ctx.db,
              community: ctx.community,
              logger: log,
              providers,
              refreshUsers: (teamId, at) =>
                refreshAllUsers(ctx.db, ctx.client, ctx.logger.child('members'), teamId, at),
              refreshUser: (userId, teamId, at) => refreshUser(ctx.db, ctx.client, userId, teamId, at),
            },
            now,
          ),
      },
    ],
  };
}
