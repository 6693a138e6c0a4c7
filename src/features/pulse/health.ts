import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import { monthBounds } from '../../months';
import type { HealthFigure, HealthFigures } from '../types';
import { pulsesStartedBetween } from './repository';
import { addTallies, average, pulseResult } from './rules';

/**
 * The pulse's two averages for each month with a closed pulse. Each pulse must clear its own
 * threshold to count; a month whose closed pulses all fell short has both figures withheld
 * (null: "not enough answers"). Open pulses show nothing yet.
 */
export function pulseHealthFigures(db: Db, clock: Clock): HealthFigures {
  return async (copId, months) => {
    const now = clock.now();
    const figures: HealthFigure[] = [];
    for (const month of months) {
      const { start, end } = monthBounds(month);
      const pulses = await pulsesStartedBetween(db, copId, start, end);
      const closed = pulses.filter((p) => p.closes_at.getTime() <= now.getTime());
      if (closed.length === 0) continue;
      const shown = closed.filter((p) => pulseResult(p.tally, p.threshold, p.closes_at, now).shown);
      const total = addTallies(shown.map((p) => p.tally));
      figures.push(
        { month, metric: 'pulseStruggles', value: average(total.struggles) ?? null },
        { month, metric: 'pulseVoice', value: average(total.voice) ?? null },
      );
    }
    return figures;
  };
}
