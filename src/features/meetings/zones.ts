import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/database';
import type { AppLogger } from '../../logger';
import { refreshUser } from '../../slack/users';
import * as repo from './repository';
import { isValidZone } from './schedule';

/**
 * How long a cached time zone is trusted. People travel and move: past this, the zone is read
 * again from Slack (on the member's own interaction, or before their next reminder).
 */
export const ZONE_MAX_AGE_MS = 24 * 60 * 60_000;

export const isStale = (checkedAt: Date | null, now: Date): boolean =>
  !checkedAt || now.getTime() - checkedAt.getTime() >= ZONE_MAX_AGE_MS;

/**
 * A user's IANA zone: from the slack_users cache while it is fresh, else one users.info call
 * whose answer is cached (so the next view costs no API call), else the cached or fallback zone.
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
  const cachedZone = cached?.tz && isValidZone(cached.tz) ? cached.tz : undefined;
  if (cached && !isStale(cached.checkedAt, now)) return cachedZone ?? fallback;
  try {
    const tz = await refreshUser(db, client, userId, teamId, now);
    if (tz && isValidZone(tz)) return tz;
    if (tz === null) return fallback;
  } catch (error) {
    logger.warn(`users.info failed while looking up a time zone; showing ${cachedZone ?? fallback}`, error);
  }
  return cachedZone ?? fallback;
}
