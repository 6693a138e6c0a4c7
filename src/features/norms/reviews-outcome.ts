import type { Proposal } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Conn } from './repository';
import * as reviewsRepo from './reviews-repository';
import type { Decision } from './service';
import { tallyAndMembers } from './votes-repository';

/** The member count a proposal's rule uses: a review's is fixed when it opens; others count live. */
export function membersForRule(proposal: Pick<Proposal, 'members_at_open'>, liveMembers: number): number {
  return proposal.members_at_open ?? liveMembers;
}

/**
 * What a closed review does to its norm, in the closing transaction. Kept: the norm is
 * reaffirmed (its review date moves on). Not kept: it stays, marked "review lapsed". If the norm
 * was retired or changed while the review was open, the review is superseded instead: it was a
 * question about a text that no longer stands.
 */
export async function applyReviewOutcome(
  trx: Conn,
  review: Proposal,
  outcome: 'adopted' | 'declined',
  now: Date,
  logger: AppLogger,
): Promise<Decision> {
  const norm = await reviewsRepo.lockNorm(trx, review.norm_id!);
  if (!norm || norm.status !== 'adopted' || (await reviewsRepo.changedSince(trx, norm.id, review.created_at))) {
    const [superseded] = await reviewsRepo.supersedeClosed(trx, review.id);
    logger.info(`review ${review.id} superseded: norm ${review.norm_id} changed or retired meanwhile`);
    return { proposal: superseded ?? review, closed: 'declined', norm };
  }
  if (outcome === 'declined') {
    const lapsed = await reviewsRepo.markLapsed(trx, norm.id, now);
    logger.info(`review ${review.id} lapsed; norm ${norm.id} stays, marked "review lapsed"`);
    return { proposal: review, closed: 'declined', norm: lapsed };
  }
  const { tally, members } = await tallyAndMembers(trx, review);
  const kept = await reviewsRepo.markReaffirmed(trx, norm.id, now, tally.supporters, membersForRule(review, members));
  logger.info(`review ${review.id} kept; norm ${norm.id} reaffirmed`);
  return { proposal: review, closed: 'adopted', norm: kept };
}
