import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Pulse } from '../../db/schema';
import type { Tally } from './rules';

type Conn = Kysely<Database> | Transaction<Database>;

export async function findSettings(db: Conn, copId: number) {
  return db.selectFrom('pulse_settings').selectAll().where('cop_id', '=', copId).executeTakeFirst();
}

export async function saveSettings(
  db: Conn,
  copId: number,
  change: { monthly?: boolean; threshold?: number },
  by: string,
  now: Date,
): Promise<void> {
  const values = { ...change, updated_by: by, updated_at: now };
  await db
    .insertInto('pulse_settings')
    .values({ cop_id: copId, monthly: change.monthly ?? null, ...values })
    .onConflict((oc) => oc.column('cop_id').doUpdateSet(values))
    .execute();
}

export function listCops(db: Conn) {
  return db.selectFrom('cops').select(['id', 'team_id', 'channel_id', 'created_at']).orderBy('id').execute();
}

/** The pulse open at `now`, if any (the latest one). */
export function findOpenPulse(db: Conn, copId: number, now: Date): Promise<Pulse | undefined> {
  return db
    .selectFrom('pulses')
    .selectAll()
    .where('cop_id', '=', copId)
    .where('closes_at', '>', now)
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
}

/** Whether the CoP's monthly pulse of that month (`YYYY-MM`) was started. */
export async function hasMonthlyPulse(db: Conn, copId: number, period: string): Promise<boolean> {
  const row = await db
    .selectFrom('pulses')
    .select('id')
    .where('cop_id', '=', copId)
    .where('period', '=', period)
    .executeTakeFirst();
  return row !== undefined;
}

export function findPulse(db: Conn, pulseId: number): Promise<Pulse | undefined> {
  return db.selectFrom('pulses').selectAll().where('id', '=', pulseId).executeTakeFirst();
}

/**
 * A new pulse with its empty tally and respondents rows. With a period (the monthly pulse), a
 * second instance's attempt finds the row taken and gets undefined.
 */
export async function createPulse(
  trx: Transaction<Database>,
  input: { copId: number; period: string | null; startedAt: Date; closesAt: Date; threshold: number; asked: number },
): Promise<Pulse | undefined> {
  const pulse = await trx
    .insertInto('pulses')
    .values({
      cop_id: input.copId,
      period: input.period,
      started_at: input.startedAt,
      closes_at: input.closesAt,
      threshold: input.threshold,
      asked: input.asked,
    })
    .onConflict((oc) => oc.columns(['cop_id', 'period']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!pulse) return undefined;
  await trx.insertInto('pulse_tallies').values({ pulse_id: pulse.id }).execute();
  await trx.insertInto('pulse_respondents').values({ pulse_id: pulse.id }).execute();
  return pulse;
}

export async function hasAnswered(db: Conn, pulseId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pulse_respondents')
    .select('pulse_id')
    .where('pulse_id', '=', pulseId)
    .where(sql<boolean>`${userId} = any(user_ids)`)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Counts one answer, once: the member joins the pulse's sorted list of respondents only if
 * absent (an atomic conditional update: a concurrent second answer, on any instance, waits for
 * the first and then finds them listed), and only then are the two scores added to the counts,
 * in the same transaction. Nothing records which scores came with which member.
 */
export async function countAnswer(
  db: Kysely<Database>,
  pulseId: number,
  userId: string,
  scores: { struggles: number; voice: number },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const joined = await trx
      .updateTable('pulse_respondents')
      .set({
        user_ids: sql<
          string[]
        >`array(select distinct u from unnest(array_append(user_ids, ${userId}::text)) as u order by u)`,
      })
      .where('pulse_id', '=', pulseId)
      .where(sql<boolean>`not (${userId}::text = any(user_ids))`)
      .returning('pulse_id')
      .executeTakeFirst();
    if (!joined) return false;
    // Kysely cannot assign one element of an array column; the scores are bound parameters.
    await sql`update pulse_tallies
      set struggles[${scores.struggles}::int] = struggles[${scores.struggles}::int] + 1,
          voice[${scores.voice}::int] = voice[${scores.voice}::int] + 1
      where pulse_id = ${pulseId}`.execute(trx);
    return true;
  });
}

export async function tallyOf(db: Conn, pulseId: number): Promise<Tally> {
  const row = await db
    .selectFrom('pulse_tallies')
    .select(['struggles', 'voice'])
    .where('pulse_id', '=', pulseId)
    .executeTakeFirstOrThrow();
  return { struggles: row.struggles.map(Number), voice: row.voice.map(Number) };
}

/** Pulses started in [start, end), with their tallies. */
export async function pulsesStartedBetween(db: Conn, copId: number, start: Date, end: Date) {
  const rows = await db
    .selectFrom('pulses as p')
    .innerJoin('pulse_tallies as t', 't.pulse_id', 'p.id')
    .select(['p.id', 'p.started_at', 'p.closes_at', 'p.threshold', 't.struggles', 't.voice'])
    .where('p.cop_id', '=', copId)
    .where('p.started_at', '>=', start)
    .where('p.started_at', '<', end)
    .orderBy('p.started_at')
    .execute();
  return rows.map((r) => ({ ...r, tally: { struggles: r.struggles.map(Number), voice: r.voice.map(Number) } }));
}
