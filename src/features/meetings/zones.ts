import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/database';
import type { AppLogger } from '../../logger';
import { upsertSlackUsers } from '../community/repository';
import * as repo from './repository';
import { isValidZone } from './schedule';

/**
 * A user's IANA zone: from the slack_users cache, else one users.info call whose answer is
 * cached (so the next view costs no API call), else the fallback (the meeting's zone).
 * For one viewer at a time only; a fan-out reads the cache in bulk instead.
 */
export async function zoneOf(
  db: Db,
  client: WebClient,
  logger: AppLogger,
  userId: string,
  teamId: string,
  now: Date,
  fallback: string,
): Promise<string> {
  const cached = await repo.findUserTz(db, userId);
  if (cached && isValidZone(cached)) return cached;
  if (cached === undefined) {
    try {
      const info = await client.users.info({ user: userId });
      const user = info.user;
      if (user?.id) {
        await upsertSlackUsers(
          db,
          [
            {
              userId: user.id,
              teamId: user.team_id ?? teamId,
              isBot: Boolean(user.is_bot || user.is_app_user),
              deleted: Boolean(user.deleted),
              tz: user.tz ?? null,
            },
          ],
          now,
        );
        if (user.tz && isValidZone(user.tz)) return user.tz;
      }
    } catch (error) {
      logger.warn(`users.info failed while looking up a time zone; showing ${fallback}`, error);
    }
  }
  return fallback;
}
