import type { WebClient } from '@slack/web-api';
import type { Db } from '../../db/database';
import type { Cop } from '../../db/schema';
import type { AppLogger } from '../../logger';
import { findSlackUsers, refreshAllUsers, toRecord, upsertSlackUsers, type SlackUserRecord } from '../../slack/users';
import * as repo from './repository';

/** How long a channel's member list read for an early voter is trusted: a burst of votes reads it once. */
const CHANNEL_MEMBERS_TTL_MS = 5_000;

// Past this many users unknown to the cache, one paginated users.list (Tier 2, 200 a page)
// is cheaper than one users.info (Tier 4) each.
const USERS_INFO_LIMIT = 20;

/** Knows which workspace users are human members of each CoP, from the database cache. */
export class MemberDirectory {
  private readonly channelMembers = new Map<string, { at: number; members: Promise<Set<string>> }>();
  /**
   * Who this instance saw leave a CoP (`copId:userId`) and not rejoin: Slack's member list may
   * lag behind the leave event, and a vote must not bring them back.
   */
  private readonly departed = new Set<string>();

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
    const channelMembers = await this.readChannelMembers(cop.channel_id);
    const humans = await this.humansAmong(channelMembers, cop.team_id, now, botUserId);
    const { added, removed, addedIds } = await repo.replaceMembers(this.db, cop.id, humans, now);
    this.logger.info(`members synced for cop ${cop.id}: ${humans.length} members, ${added} added, ${removed} removed`);
    return { members: humans.length, added, removed, addedIds };
  }

  /**
   * Whether Slack has the user in the channel now, from a list read at most a few seconds ago
   * (for votes that arrive before their voter's join event; one read serves a burst of them).
   */
  private async inChannel(channelId: string, userId: string): Promise<boolean> {
    const now = Date.now();
    let cached = this.channelMembers.get(channelId);
    if (!cached || now - cached.at > CHANNEL_MEMBERS_TTL_MS) {
      cached = { at: now, members: this.readChannelMembers(channelId).then((ids) => new Set(ids)) };
      this.channelMembers.set(channelId, cached);
      // A failed read is not kept: the next vote asks again.
      cached.members.catch(() => this.channelMembers.delete(channelId));
    }
    return (await cached.members).has(userId);
  }

  /** Notes a leave (or a rejoin) seen in an event, for `mayHaveJoined`. */
  noteMembership(copId: number, userId: string, inChannel: boolean): void {
    if (inChannel) this.departed.delete(`${copId}:${userId}`);
    else this.departed.add(`${copId}:${userId}`);
  }

  /** Whether a voter not cached as a member may have joined with their event still on its way. */
  async mayHaveJoined(cop: Cop, userId: string): Promise<boolean> {
    if (this.departed.has(`${cop.id}:${userId}`)) return false;
    return this.inChannel(cop.channel_id, userId);
  }

  private async readChannelMembers(channelId: string): Promise<string[]> {
    const members: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.members({ channel: channelId, limit: 1000, cursor });
      members.push(...(page.members ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return members;
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
