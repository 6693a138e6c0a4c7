import type { Db } from '../../db/database';
import { monthBounds } from '../../months';
import type { HealthFigure, HealthFigures } from '../types';

/**
 * Share of members who voted on the decisions of each month (proposals adopted or declined
 * then), in percent: votes with a stance over the members counted at the decision, averaged
 * over the month's decisions. A month with no decision has no figure.
 */
export function normsHealthFigures(db: Db): HealthFigures {
  return async (copId, months) => {
    if (months.length === 0) return [];
    const from = monthBounds(months[0]!).start;
    const to = monthBounds(months[months.length - 1]!).end;
    const decided = await db
      .selectFrom('proposals as p')
      .leftJoin('votes as v', (join) => join.onRef('v.proposal_id', '=', 'p.id').on('v.stance', 'is not', null))
      .select(['p.id', 'p.decided_at', 'p.members_at_decision'])
      .select((eb) => eb.fn.count<number>('v.user_id').as('voters'))
      .where('p.cop_id', '=', copId)
      .where('p.status', 'in', ['adopted', 'declined'])
      .where('p.decided_at', '>=', from)
      .where('p.decided_at', '<', to)
      .groupBy(['p.id', 'p.decided_at', 'p.members_at_decision'])
      .execute();
    const figures: HealthFigure[] = [];
    for (const month of months) {
      const { start, end } = monthBounds(month);
      const shares = decided
        .filter((d) => d.decided_at && d.decided_at >= start && d.decided_at < end && (d.members_at_decision ?? 0) > 0)
        .map((d) => Math.min(1, Number(d.voters) / d.members_at_decision!));
      if (shares.length === 0) continue;
      const share = shares.reduce((n, s) => n + s, 0) / shares.length;
      figures.push({ month, metric: 'votingShare', value: Math.round(share * 100) });
    }
    return figures;
  };
}
