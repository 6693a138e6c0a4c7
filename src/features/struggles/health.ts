import type { Db } from '../../db/database';
import { monthBounds } from '../../months';
import type { HealthFigure, HealthFigures } from '../types';

/**
 * Struggles shared each month (posted, not hidden), how many of them got a reply, and how many
 * a reply marked helpful. Counts only: nothing here names anyone. Replies still on their way to Slack do not count. A month with no struggle
 * shared has no figure.
 */
export function strugglesHealthFigures(db: Db): HealthFigures {
  return async (copId, months) => {
    if (months.length === 0) return [];
    const from = monthBounds(months[0]!).start;
    const to = monthBounds(months[months.length - 1]!).end;
    const rows = await db
      .selectFrom('struggles as s')
      .leftJoin('struggle_replies as r', (join) =>
        join.onRef('r.struggle_id', '=', 's.id').on('r.hidden_at', 'is', null).on('r.message_ts', 'is not', null),
      )
      .select(['s.id', 's.created_at'])
      .select((eb) => [
        eb.fn.count<number>('r.id').as('replies'),
        eb.fn
          .count<number>('r.id')
          .filterWhere((w) => w.or([w('r.marked_helpful', '=', true), w('r.helpful_count', '>', 0)]))
          .as('helpful'),
      ])
      .where('s.cop_id', '=', copId)
      .where('s.hidden_at', 'is', null)
      .where('s.message_ts', 'is not', null)
      .where('s.created_at', '>=', from)
      .where('s.created_at', '<', to)
      .groupBy(['s.id', 's.created_at'])
      .execute();
    const figures: HealthFigure[] = [];
    for (const month of months) {
      const { start, end } = monthBounds(month);
      const shared = rows.filter((r) => r.created_at >= start && r.created_at < end);
      if (shared.length === 0) continue;
      figures.push(
        { month, metric: 'strugglesShared', value: shared.length },
        { month, metric: 'strugglesAnswered', value: shared.filter((r) => Number(r.replies) > 0).length },
        { month, metric: 'strugglesHelpful', value: shared.filter((r) => Number(r.helpful) > 0).length },
      );
    }
    return figures;
  };
}
