import type { Db } from '../db/database';
import { pruneProcessedEvents } from '../db/processed-events';
import type { Feature } from '../features/types';
import type { AppLogger } from '../logger';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Storage upkeep that belongs to no feature. */
export function housekeeping(db: Db, logger: AppLogger): Feature {
  return {
    name: 'housekeeping',
    jobs: [
      {
        name: 'prune-processed-events',
        run: async (now) => {
          // Slack retries within minutes; a day of event ids is plenty to dedupe against.
          const pruned = await pruneProcessedEvents(db, new Date(now.getTime() - DAY_MS));
          if (pruned) logger.debug(`pruned ${pruned} processed event ids`);
        },
      },
    ],
  };
}
