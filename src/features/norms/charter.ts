import { createHash } from 'node:crypto';
import { slackErrorCode } from '../../slack/errors';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import type { Cop } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Community } from '../types';
import * as charterRepo from './charter-repository';
import { charterMessage } from './charter-views';
import type { ReviewService } from './reviews';

/** A claim older than this whose message never got posted is taken over (its poster stopped). */
const STALE_CLAIM_MS = 2 * 60 * 1000;

/**
 * The pinned charter in each home channel: posted once per CoP (a claim in the database),
 * edited in place when its content changes, recreated if deleted and pinned again if unpinned.
 */
export class CharterService {
  /** One sync per CoP at a time in this instance; a sync asked for meanwhile runs after it. */
  private readonly running = new Map<number, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly client: WebClient,
    private readonly reviews: ReviewService,
    private readonly community: Community,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  /** Brings the CoP's charter up to date; `checkPins` also checks it is still there and pinned. */
  sync(copId: number, checkPins = false): Promise<void> {
    const previous = this.running.get(copId) ?? Promise.resolve();
    const next = previous
      .then(() => this.syncNow(copId, checkPins))
      .catch((error: unknown) => this.logger.error(`keeping the charter of cop ${copId} current failed`, error));
    this.running.set(copId, next);
    void next.finally(() => {
      if (this.running.get(copId) === next) this.running.delete(copId);
    });
    return next;
  }

  /** The scheduled check: every charter whose content changed (e.g. a review date came, a rhythm changed). */
  async syncAll(): Promise<void> {
    for (const copId of await charterRepo.charterCopIds(this.db)) await this.sync(copId);
  }

  private async syncNow(copId: number, checkPins: boolean): Promise<void> {
    const cop = await this.community.copById(copId);
    if (!cop) return;
    const scheduled = await this.reviews.schedule(cop);
    const message = charterMessage(cop, scheduled);
    const hash = createHash('sha256').update(JSON.stringify(message)).digest('hex');
    const now = this.clock.now();
    const row = await charterRepo.findCharter(this.db, copId);
    if (!row) {
      if (scheduled.length === 0) return; // nothing to list yet: the first adopted norm brings it
      if (await charterRepo.claimCharter(this.db, copId, cop.channel_id, now))
        await this.post(cop, null, message, hash);
      return;
    }
    if (!row.message_ts) {
      const stale = new Date(now.getTime() - STALE_CLAIM_MS);
      if (await charterRepo.reclaimStale(this.db, copId, stale, now)) await this.post(cop, null, message, hash);
      return;
    }
    if (row.content_hash === hash && !checkPins) return;
    try {
      await this.client.chat.update({ channel: row.channel_id, ts: row.message_ts, ...message });
    } catch (error) {
      if (slackErrorCode(error) !== 'message_not_found') throw error;
      this.logger.info(`the charter of cop ${copId} was deleted; posting it again`);
      await this.post(cop, row.message_ts, message, hash);
      return;
    }
    await charterRepo.setHash(this.db, copId, hash, now);
    await this.ensurePinned(row.channel_id, row.message_ts);
    this.logger.info(`charter of cop ${copId} updated`);
  }

  /** Posts the charter and pins it; the stored message changes only if it still is `previousTs`. */
  private async post(cop: Cop, previousTs: string | null, message: ReturnType<typeof charterMessage>, hash: string) {
    const posted = await this.client.chat.postMessage({ channel: cop.channel_id, ...message });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    if (!(await charterRepo.replaceMessage(this.db, cop.id, previousTs, posted.ts, hash, this.clock.now()))) {
      // Another instance recreated it first: ours is a double.
      await this.client.chat.delete({ channel: cop.channel_id, ts: posted.ts });
      return;
    }
    await this.ensurePinned(cop.channel_id, posted.ts);
    this.logger.info(`charter of cop ${cop.id} posted and pinned`);
  }

  private async ensurePinned(channelId: string, ts: string): Promise<void> {
    const pins = await this.client.pins.list({ channel: channelId });
    const pinned = (pins.items ?? []).some((item) => item.message?.ts === ts);
    if (pinned) return;
    try {
      await this.client.pins.add({ channel: channelId, timestamp: ts });
    } catch (error) {
      if (slackErrorCode(error) !== 'already_pinned') throw error;
    }
  }
}

export interface CharterFile {
  filename: string;
  title: string;
  content: string;
}

/** Sends a file to a user's DM with the bot (files.uploadV2 into the DM channel). */
export async function sendFileToDm(client: WebClient, userId: string, file: CharterFile, comment: string) {
  const dm = await client.conversations.open({ users: userId });
  const channelId = dm.channel?.id;
  if (!channelId) throw new Error('conversations.open returned no channel');
  await client.files.uploadV2({
    channel_id: channelId,
    filename: file.filename,
    title: file.title,
    content: file.content,
    initial_comment: comment,
  });
}
