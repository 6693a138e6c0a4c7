import { sql, type Transaction } from 'kysely';
import type { Database, NewProposal, Norm, Proposal } from '../../db/schema';
import type { Conn } from './repository';

/** An adopted norm with the latest change of its text (its newest revision). */
export type NormWithChange = Norm & { changed_at: Date | null };

/** A CoP's adopted norms, in charter order, each with when its text last changed. */
export async function adoptedNormsWithChanges(db: Conn, copId: number): Promise<NormWithChange[]> {
  const rows = await db
    .selectFrom('norms')
    .selectAll('norms')
    .select((eb) =>
      eb
        .selectFrom('norm_revisions')
        .select((r) => r.fn.max('norm_revisions.created_at').as('m'))
        .whereRef('norm_revisions.norm_id', '=', 'norms.id')
        .as('changed_at'),
    )
    .where('norms.cop_id', '=', copId)
    .where('norms.status', '=', 'adopted')
    .orderBy('norms.adopted_at')
    .orderBy('norms.id')
    .execute();
  // An aggregate's timestamp may arrive as text (PGlite does not parse it): made a Date here.
  return rows.map((row) => ({ ...row, changed_at: row.changed_at ? new Date(row.changed_at) : null }));
}

/**
 * The zone a CoP's calendar runs in. A CoP has no zone of its own (cops has no time zone): its
 * meeting's zone is the one its members agreed on; without a meeting, the caller uses UTC.
 */
export async function meetingZone(db: Conn, copId: number): Promise<string | null> {
  const row = await db.selectFrom('meetings').select('time_zone').where('cop_id', '=', copId).executeTakeFirst();
  return row?.time_zone ?? null;
}

/** CoPs with at least one adopted norm: the only ones with anything to review or list. */
export async function copIdsWithNorms(db: Conn): Promise<number[]> {
  const rows = await db.selectFrom('norms').select('cop_id').distinct().where('status', '=', 'adopted').execute();
  return rows.map((r) => r.cop_id);
}

/** Open reviews of a CoP, posted or on their way. */
export function openReviews(db: Conn, copId: number): Promise<Proposal[]> {
  return db
    .selectFrom('proposals')
    .selectAll()
    .where('cop_id', '=', copId)
    .where('kind', '=', 'review')
    .where('status', '=', 'open')
    .execute();
}

/** Serialises the opening of reviews in one CoP across instances (held until the transaction ends). */
export async function lockCop(trx: Transaction<Database>, copId: number): Promise<void> {
  await trx.selectFrom('cops').select('id').where('id', '=', copId).forUpdate().execute();
}

/** Reviews the schedule opened (proposed_by '') since `since`: how many it opened today. */
export async function scheduledSince(db: Conn, copId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('proposals')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cop_id', '=', copId)
    .where('kind', '=', 'review')
    .where('proposed_by', '=', '')
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Inserts a review unless one is open for its norm (the unique index decides); undefined then.
 * The conflict target's predicate is written as literals: PostgreSQL must prove it implies the
 * partial index's own, which it cannot from bound parameters once a prepared statement goes to
 * its generic plan (from its sixth run on a connection: "no unique or exclusion constraint").
 */
export function insertReview(db: Conn, values: NewProposal): Promise<Proposal | undefined> {
  return db
    .insertInto('proposals')
    .values({ ...values, kind: 'review' })
    .onConflict((oc) =>
      oc.column('norm_id').where('kind', '=', sql.lit('review')).where('status', '=', sql.lit('open')).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Closes the open reviews of a norm as superseded; returns them. */
export function supersedeReviews(db: Conn, normId: number, now: Date): Promise<Proposal[]> {
  return db
    .updateTable('proposals')
    .set({ status: 'superseded', decided_at: now })
    .where('norm_id', '=', normId)
    .where('kind', '=', 'review')
    .where('status', '=', 'open')
    .returningAll()
    .execute();
}

/** Open reviews whose norm was retired, or changed, after the review opened. */
export async function staleReviewNormIds(db: Conn): Promise<number[]> {
  const rows = await db
    .selectFrom('proposals')
    .innerJoin('norms', 'norms.id', 'proposals.norm_id')
    .select('norms.id')
    .where('proposals.kind', '=', 'review')
    .where('proposals.status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb('norms.status', '=', 'retired'),
        eb.exists(
          eb
            .selectFrom('norm_revisions')
            .select('norm_revisions.id')
            .whereRef('norm_revisions.norm_id', '=', 'norms.id')
            .whereRef('norm_revisions.created_at', '>', 'proposals.created_at'),
        ),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}

/** Claims the lapsed reviews whose coordinators were not yet told; each is claimed once. */
export function claimLapses(db: Conn, now: Date): Promise<Proposal[]> {
  return db
    .updateTable('proposals')
    .set({ lapse_notified_at: now })
    .where('kind', '=', 'review')
    .where('status', '=', 'declined')
    .where('lapse_notified_at', 'is', null)
    .returningAll()
    .execute();
}

/** The norm, locked for the rest of the transaction (a review outcome and a change wait on each other). */
export function lockNorm(trx: Conn, normId: number): Promise<Norm | undefined> {
  return trx.selectFrom('norms').selectAll().where('id', '=', normId).forUpdate().executeTakeFirst();
}

/** Whether the norm's text changed after `since` (a revision newer than it). */
export async function changedSince(db: Conn, normId: number, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('norm_revisions')
    .select('id')
    .where('norm_id', '=', normId)
    .where('created_at', '>', since)
    .executeTakeFirst();
  return row !== undefined;
}

export function markReaffirmed(db: Conn, normId: number, now: Date, supporters: number, members: number) {
  return db
    .updateTable('norms')
    .set({
      reviewed_at: now,
      reaffirmed_at: now,
      reaffirmed_supporters: supporters,
      reaffirmed_members: members,
      review_lapsed_at: null,
    })
    .where('id', '=', normId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function markLapsed(db: Conn, normId: number, now: Date) {
  return db
    .updateTable('norms')
    .set({ reviewed_at: now, review_lapsed_at: now })
    .where('id', '=', normId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setReviewMonths(db: Conn, copId: number, months: number): Promise<void> {
  await db.updateTable('cops').set({ review_months: months }).where('id', '=', copId).execute();
}

/** A review just closed by the vote path, turned into superseded (its norm no longer stands as asked). */
export function supersedeClosed(db: Conn, reviewId: number): Promise<Proposal[]> {
  return db.updateTable('proposals').set({ status: 'superseded' }).where('id', '=', reviewId).returningAll().execute();
}
