import type { Db } from '../../db/database';
import type { Pulse } from '../../db/schema';
import { enqueueDms } from '../../slack/outbox';
import * as repo from './repository';
import { MIN_THRESHOLD, PULSE_OPEN_MS } from './rules';
import { pulseDm } from './views';

export const pulseKey = (pulseId: number, userId: string): string => `pulse:${pulseId}:${userId}`;

/**
 * Starts a pulse and queues one DM per member (the outbox sends each once). `period` is the
 * month of a monthly pulse: a second instance starting the same month's pulse gets undefined.
 */
export async function startPulse(
  db: Db,
  cop: { id: number; channel_id: string },
  memberIds: readonly string[],
  period: string | null,
  now: Date,
): Promise<Pulse | undefined> {
  const threshold = (await repo.findSettings(db, cop.id))?.threshold ?? MIN_THRESHOLD;
  return db.transaction().execute(async (trx) => {
    const closesAt = new Date(now.getTime() + PULSE_OPEN_MS);
    const pulse = await repo.createPulse(trx, {
      copId: cop.id,
      period,
      startedAt: now,
      closesAt,
      threshold,
      asked: memberIds.length,
    });
    if (!pulse) return undefined;
    const dm = pulseDm(pulse.id, cop.channel_id, closesAt, threshold);
    await enqueueDms(
      trx,
      memberIds.map((userId) => ({
        dedupeKey: pulseKey(pulse.id, userId),
        purpose: 'pulse',
        recipient: userId,
        text: dm.text,
        blocks: dm.blocks,
        notBefore: now,
        expiresAt: closesAt,
      })),
    );
    return pulse;
  });
}
