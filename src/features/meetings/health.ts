import type { Db } from '../../db/database';
import { monthBounds } from '../../months';
import type { HealthFigure, HealthFigures } from '../types';
import { heldOccurrences } from './attendance-repository';
import { coreGroup, isSkipped } from './attendance-rules';
import { findMeeting } from './repository';

/**
 * The meetings' monthly figures: meetings held, people per meeting on average, and the core
 * group at the month's end. A month with no meeting held has none of them.
 */
export function meetingHealthFigures(db: Db): HealthFigures {
  return async (copId, months) => {
    const meeting = await findMeeting(db, copId);
    if (!meeting || months.length === 0) return [];
    const { end } = monthBounds(months[months.length - 1]!);
    const held = (await heldOccurrences(db, meeting.id, end)).filter((o) => !isSkipped(meeting, o.startsAt));
    const figures: HealthFigure[] = [];
    for (const month of months) {
      const bounds = monthBounds(month);
      const inMonth = held.filter((o) => o.startsAt >= bounds.start && o.startsAt < bounds.end);
      if (inMonth.length === 0) continue;
      const people = inMonth.reduce((n, o) => n + o.attendees.size, 0);
      figures.push({ month, metric: 'meetings', value: inMonth.length });
      figures.push({ month, metric: 'attendance', value: round1(people / inMonth.length) });
      const core = coreGroup(held.filter((o) => o.startsAt < bounds.end).map((o) => o.attendees));
      if (core) figures.push({ month, metric: 'coreGroup', value: core.size });
    }
    return figures;
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
