import type { WebClient } from '@slack/web-api';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { AppLogger } from '../logger';

type Conn = Kysely<Database> | Transaction<Database>;

/**
 * The cache of workspace users (slack_users): who is a bot or deactivated, and each person's time
 * zone, as Slack last told us. Slack plumbing: every feature that needs it reads it from here.
 */
export interface SlackUserRecord {
  userId: string;
  teamId: string;
  isBot: boolean;
  deleted: boolean;
  tz: string | null;
}

interface SlackUser {
  id?: string;
  team_id?: string;
  is_bot?: boolean;
  is_app_user?: boolean;
  deleted?: boolean;
  tz?: string;
}

export function toRecord(user: SlackUser, fallbackTeam: string): SlackUserRecord | undefined {
  if (!user.id) return undefined;
  return {
    userId: user.id,
    teamId: user.team_id ?? fallbackTeam,
    // Slackbot is a bot for our purposes, whatever its profile says.
    isBot: Boolean(user.is_bot || user.is_app_user || user.id === 'USLACKBOT'),
    deleted: Boolean(user.deleted),
    tz: user.tz ?? null,
  };
}

export async function upsertSlackUsers(db: Conn, users: SlackUserRecord[], now: Date): Promise<void> {
  for (let i = 0; i < users.length; i += 500) {
    await db
      .insertInto('slack_users')
      .values(
        users.slice(i, i + 500).map((u) => ({
          user_id: u.userId,
          team_id: u.teamId,
          is_bot: u.isBot,
          deleted: u.deleted,
          tz: u.tz,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet((eb) => ({
          is_bot: eb.ref('excluded.is_bot'),
          deleted: eb.ref('excluded.deleted'),
          tz: eb.ref('excluded.tz'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

export function findSlackUsers(db: Conn, userIds: string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('slack_users').selectAll().where('user_id', 'in', userIds).execute();
}

/** Refreshes the whole user cache (bots, time zones) from users.list pages; how many users it read. */
export async function refreshAllUsers(
  db: Conn,
  client: WebClient,
  logger: AppLogger,
  teamId: string,
  now: Date,
): Promise<number> {
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await client.users.list({ limit: 200, cursor });
    const records = (page.members ?? []).map((u) => toRecord(u, teamId)).filter((r) => r !== undefined);
    await upsertSlackUsers(db, records, now);
    count += records.length;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  logger.info(`user cache refreshed: ${count} users`);
  return count;
}

/** Reads one user from Slack (users.info) into the cache; returns their zone (null if none, undefined if no user). */
export async function refreshUser(
  db: Conn,
  client: WebClient,
  userId: string,
  teamId: string,
  now: Date,
): Promise<string | null | undefined> {
  const info = await client.users.info({ user: userId });
  const record = info.user ? toRecord(info.user, teamId) : undefined;
  if (!record) return undefined;
  await upsertSlackUsers(db, [record], now);
  return record.tz;
}
