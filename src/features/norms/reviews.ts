import { DateTime } from 'luxon';
import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import type { Cop, Proposal } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Community } from '../types';
import type { Conn } from './repository';
import * as reviewsRepo from './reviews-repository';
import type { NormWithChange } from './reviews-repository';
import {
  REVIEW_DEFAULTS,
  calendarZone,
  isDue,
  localDate,
  nextReviewOn,
  noonOf,
  reviewBase,
  reviewsToOpen,
} from './reviews-rules';

const HOUR = 60 * 60 * 1000;

/** An adopted norm with its place in the review rhythm. */
export interface ScheduledNorm {
  number: number;
  norm: NormWithChange;
  /** Local date (CoP calendar) it is next reviewed on, and the instant a date token shows it by. */
  dueOn: string;
  nextReviewAt: Date;
  /** The review open on it now, if any. */
  review?: Proposal;
}

export type OpenResult =
  { kind: 'opened'; review: Proposal } | { kind: 'already-open'; review?: Proposal } | { kind: 'not-a-norm' | 'limit' };

/** The review rhythm: when norms fall due, opening reviews (once, however many instances), lapses. */
export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly community: Community,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  /** The zone a CoP's review dates are counted in: its meeting's, else UTC (see calendarZone). */
  async zoneOf(copId: number, conn: Conn = this.db): Promise<string> {
    return calendarZone(await reviewsRepo.meetingZone(conn, copId));
  }

  /** Each adopted norm, numbered as in `/cop norms`, with its next review and any open review. */
  async schedule(cop: Cop): Promise<ScheduledNorm[]> {
    const [norms, open, zone] = await Promise.all([
      reviewsRepo.adoptedNormsWithChanges(this.db, cop.id),
      reviewsRepo.openReviews(this.db, cop.id),
      this.zoneOf(cop.id),
    ]);
    return norms.map((norm, i) => {
      const dueOn = nextReviewOn(
        reviewBase({ adoptedAt: norm.adopted_at, changedAt: norm.changed_at, reviewedAt: norm.reviewed_at }),
        cop.review_months,
        zone,
      );
      const review = open.find((r) => r.norm_id === norm.id);
      return { number: i + 1, norm, dueOn, nextReviewAt: noonOf(dueOn, zone), ...(review ? { review } : {}) };
    });
  }

  /** Opens the reviews that are due now, spread out (see reviewsToOpen); returns the drafts to post. */
  async openDue(now: Date): Promise<Proposal[]> {
    const opened: Proposal[] = [];
    for (const copId of await reviewsRepo.copIdsWithNorms(this.db)) {
      const cop = await this.community.copById(copId);
      if (!cop) continue;
      const zone = await this.zoneOf(cop.id);
      const schedule = await this.schedule(cop);
      const due = schedule.filter((s) => !s.review && isDue(s.dueOn, now, zone));
      if (due.length === 0) continue;
      // A first cut without the lock (the day's count is left to the locked check).
      const candidates = reviewsToOpen(
        due.map((s) => ({ normId: s.norm.id, dueOn: s.dueOn, number: s.number })),
        { open: schedule.filter((s) => s.review).length, openedToday: 0 },
        { maxOpen: REVIEW_DEFAULTS.maxOpen, perDay: REVIEW_DEFAULTS.maxOpen },
      );
      // The limits are checked again under the CoP's lock: another instance may be opening too.
      let openedHere = 0;
      for (const normId of candidates) {
        const result = await this.open(cop, normId, '', { scheduled: true, zone });
        if (result.kind === 'limit') break;
        if (result.kind !== 'opened') continue;
        opened.push(result.review);
        openedHere += 1;
      }
      const waiting = due.length - openedHere;
      if (waiting > 0) this.logger.debug(`cop ${cop.id}: ${waiting} norm(s) due for review wait their turn`);
    }
    return opened;
  }

  /** `/cop review <number>`: the norm numbered so among the adopted ones. */
  async openByNumber(cop: Cop, number: number, userId: string): Promise<OpenResult> {
    const norm = (await this.schedule(cop)).find((s) => s.number === number);
    if (!norm) return { kind: 'not-a-norm' };
    if (norm.review) return { kind: 'already-open', review: norm.review };
    return this.open(cop, norm.norm.id, userId, { scheduled: false });
  }

  /**
   * Stores a review not yet posted (posting follows). Under the CoP's row lock, so two instances
   * opening at once see each other's: one open review per norm (also a unique index), and the
   * schedule's limits (at most `maxOpen` open, `perDay` opened a local day). A member's request
   * is not limited by the schedule, only by one review per norm.
   */
  private open(cop: Cop, normId: number, by: string, opts: { scheduled: boolean; zone?: string }): Promise<OpenResult> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx): Promise<OpenResult> => {
      await reviewsRepo.lockCop(trx, cop.id);
      const open = await reviewsRepo.openReviews(trx, cop.id);
      const already = open.find((r) => r.norm_id === normId);
      if (already) return { kind: 'already-open', review: already };
      if (opts.scheduled) {
        const zone = opts.zone ?? (await this.zoneOf(cop.id, trx));
        const dayStart = DateTime.fromISO(localDate(now, zone), { zone }).toJSDate();
        const openedToday = await reviewsRepo.scheduledSince(trx, cop.id, dayStart);
        if (reviewsToOpen([{ normId, dueOn: '', number: 0 }], { open: open.length, openedToday }).length === 0)
          return { kind: 'limit' };
      }
      const norm = await reviewsRepo.lockNorm(trx, normId);
      if (!norm || norm.status !== 'adopted' || norm.cop_id !== cop.id) return { kind: 'not-a-norm' };
      const members = (await this.community.memberIds(cop.id, trx)).length;
      const review = await reviewsRepo.insertReview(trx, {
        cop_id: cop.id,
        kind: 'review',
        norm_id: norm.id,
        title: norm.title,
        body: norm.body,
        rationale: '',
        proposed_by: by,
        created_at: now,
        closes_at: new Date(now.getTime() + cop.window_hours * HOUR),
        quorum_num: cop.quorum_num,
        quorum_den: cop.quorum_den,
        approval_num: cop.approval_num,
        approval_den: cop.approval_den,
        channel_id: cop.channel_id,
        members_at_open: members,
      });
      if (!review) return { kind: 'already-open' };
      this.logger.info(
        `review ${review.id} of norm ${norm.id} opened in cop ${cop.id} (${by ? 'by a member' : 'due'})`,
      );
      return { kind: 'opened', review };
    });
  }

  /** Closes as superseded the open reviews of a norm just changed or retired. */
  supersede(normId: number): Promise<Proposal[]> {
    return reviewsRepo.supersedeReviews(this.db, normId, this.clock.now());
  }

  /** Open reviews whose norm changed or was retired without them being closed (e.g. a crash in between). */
  async supersedeStale(): Promise<Proposal[]> {
    const superseded: Proposal[] = [];
    for (const normId of await reviewsRepo.staleReviewNormIds(this.db))
      superseded.push(...(await this.supersede(normId)));
    return superseded;
  }

  /** Lapsed reviews whose coordinators were not told yet: claimed, and handed to `tell` in the same transaction. */
  async claimLapses(now: Date, tell: (trx: Conn, review: Proposal, coordinatorIds: string[]) => Promise<number>) {
    return this.db.transaction().execute(async (trx) => {
      let queued = 0;
      for (const review of await reviewsRepo.claimLapses(trx, now)) {
        queued += await tell(trx, review, await this.community.coordinatorIds(review.cop_id, trx));
      }
      return queued;
    });
  }

  /** A coordinator changes how often norms come up for review. */
  async changeRhythm(copId: number, userId: string, months: number): Promise<boolean> {
    if (!(await this.community.isCoordinator(copId, userId))) return false;
    await reviewsRepo.setReviewMonths(this.db, copId, months);
    this.logger.info(`review rhythm of cop ${copId} set to ${months} month(s) by a coordinator`);
    return true;
  }
}
