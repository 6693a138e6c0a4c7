import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/database';
import type { Cop } from '../../db/schema';
import type { AppLogger } from '../../logger';
import { findSlackUsers, refreshAllUsers, toRecord, upsertSlackUsers, type SlackUserRecord } from '../../slack/users';
import * as repo from './repository';

// Past this many users unknown to the cache, one paginated users.list (Tier 2, 200 a page)
// is cheaper than one users.info (Tier 4) each.
const USERS_INFO_LIMIT = 20;

/** Knows which workspace users are human members of each CoP, from the database cache. */
export class MemberDirectory {
  constructor(
    private readonly db: Db,
    private readonly client: WebClient,
    private readonly logger: AppLogger,
  ) {}

  /** Re-reads the home channel's members from Slack and replaces the cached set. */
  async syncMembers(
    cop: Cop,
    now: Date,
    botUserId?: string,
  ): Promise<{ members: number; added: number; removed: number; addedIds: string[] }> {
    const channelMembers: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.members({ channel: cop.channel_id, limit: 1000, cursor });
      channelMembers.push(...(page.members ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);

    const humans = await this.humansAmong(channelMembers, cop.team_id, now, botUserId);
    const { added, removed, addedIds } = await repo.replaceMembers(this.db, cop.id, humans, now);
    this.logger.info(`members synced for cop ${cop.id}: ${humans.length} members, ${added} added, ${removed} removed`);
    return { members: humans.length, added, removed, addedIds };
  }

  /** Whether a user is a human (not a bot, app or deactivated account), caching what Slack says. */
  async isHuman(userId: string, teamId: string, now: Date, botUserId?: string): Promise<boolean> {
    const humans = await this.humansAmong([userId], teamId, now, botUserId);
    return humans.length === 1;
  }

  /** Refreshes the whole user cache (bots, time zones) from users.list pages. */
  refreshUsers(teamId: string, now: Date): Promise<number> {
    return refreshAllUsers(this.db, this.client, this.logger, teamId, now);
  }

  private async humansAmong(userIds: string[], teamId: string, now: Date, botUserId?: string): Promise<string[]> {
    const unique = [...new Set(userIds)].filter((id) => id !== botUserId && id !== 'USLACKBOT');
    let known = await findSlackUsers(this.db, unique);
    const unknown = unique.filter((id) => !known.some((u) => u.user_id === id));
    if (unknown.length > USERS_INFO_LIMIT) {
      await this.refreshUsers(teamId, now);
    } else {
      const fetched: SlackUserRecord[] = [];
      for (const id of unknown) {
        try {
          const info = await this.client.users.info({ user: id });
          const record = info.user ? toRecord(info.user, teamId) : undefined;
          if (record) fetched.push(record);
        } catch (error) {
          this.logger.warn(`users.info failed for a channel member; treating them as not a member for now`, error);
        }
      }
      await upsertSlackUsers(this.db, fetched, now);
    }
    if (unknown.length) known = await findSlackUsers(this.db, unique);
    const human = new Set(known.filter((u) => !u.is_bot && !u.deleted).map((u) => u.user_id));
    return unique.filter((id) => human.has(id));
  }
}
