import type { Kysely, Transaction } from 'kysely';
import type { Database, NewProposal, Norm, Proposal, ProposalStatus } from '../../db/schema';
import type { VoteRule } from './rules';

export type Conn = Kysely<Database> | Transaction<Database>;

// ---- Proposals -----------------------------------------------------------------

export function insertProposal(db: Conn, values: NewProposal): Promise<Proposal> {
  return db.insertInto('proposals').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function setMessageTs(db: Conn, proposalId: number, ts: string): Promise<void> {
  await db.updateTable('proposals').set({ message_ts: ts }).where('id', '=', proposalId).execute();
}

export async function deleteProposal(db: Conn, proposalId: number): Promise<void> {
  await db.deleteFrom('proposals').where('id', '=', proposalId).execute();
}

/** Proposals whose message never got posted (the process stopped between insert and post). */
export async function deleteUnposted(db: Conn, createdBefore: Date): Promise<number> {
  const result = await db
    .deleteFrom('proposals')
    .where('status', '=', 'open')
    .where('message_ts', 'is', null)
    .where('created_at', '<', createdBefore)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export function findProposal(db: Conn, proposalId: number): Promise<Proposal | undefined> {
  return db.selectFrom('proposals').selectAll().where('id', '=', proposalId).executeTakeFirst();
}

/** Open, posted proposals; of one CoP, or of all. */
export function listOpenProposals(db: Conn, copId?: number): Promise<Proposal[]> {
  let query = db.selectFrom('proposals').selectAll().where('status', '=', 'open').where('message_ts', 'is not', null);
  if (copId !== undefined) query = query.where('cop_id', '=', copId);
  return query.orderBy('closes_at').orderBy('id').execute();
}

/** Open proposals within `before` of closing that have not yet nudged anyone. */
export function listDueForNudge(db: Conn, now: Date, before: Date): Promise<Proposal[]> {
  return db
    .selectFrom('proposals')
    .selectAll()
    .where('status', '=', 'open')
    .where('message_ts', 'is not', null)
    .where('nudged_at', 'is', null)
    .where('closes_at', '>', now)
    .where('closes_at', '<=', before)
    .execute();
}

/** Claims the nudge of a proposal; false when another tick or instance already did. */
export async function claimNudge(db: Conn, proposalId: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('proposals')
    .set({ nudged_at: now })
    .where('id', '=', proposalId)
    .where('nudged_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Its message now shows what `message_version` was when its tally was read. */
export async function markMessageShown(db: Conn, proposalId: number, version: number): Promise<void> {
  await db
    .updateTable('proposals')
    .set((eb) => ({ shown_version: eb.fn('greatest', [eb.ref('shown_version'), eb.val(version)]) }))
    .where('id', '=', proposalId)
    .where('shown_version', '<', version)
    .execute();
}

/** Claims the posting of a decided proposal's outcome reply; false when it was claimed already. */
export async function claimOutcomeReply(db: Conn, proposalId: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('proposals')
    .set({ outcome_claimed_at: now })
    .where('id', '=', proposalId)
    .where('outcome_claimed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Proposals whose message lags what it should show (an update that failed, an instance that
 * stopped first): open ones, and those decided since `decidedSince` (older ones are history).
 */
export async function listLaggingMessages(db: Conn, decidedSince: Date, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('proposals')
    .select('id')
    .whereRef('shown_version', '<', 'message_version')
    .where('message_ts', 'is not', null)
    .where((eb) => eb.or([eb('status', '=', 'open'), eb('decided_at', '>=', decidedSince)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Closes an open proposal; undefined when it already was closed (by another vote or tick). */
export function closeProposal(
  db: Conn,
  proposalId: number,
  status: Exclude<ProposalStatus, 'open'>,
  now: Date,
  members: number,
): Promise<Proposal | undefined> {
  return db
    .updateTable('proposals')
    .set({ status, decided_at: now, members_at_decision: members })
    .where('id', '=', proposalId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
}

export function setStatus(db: Conn, proposalId: number, status: ProposalStatus): Promise<Proposal> {
  return db
    .updateTable('proposals')
    .set({ status })
    .where('id', '=', proposalId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- Norms ---------------------------------------------------------------------

/** The adopted norms in the order they are numbered: 1 is the oldest. */
export function listAdoptedNorms(db: Conn, copId: number): Promise<Norm[]> {
  return db
    .selectFrom('norms')
    .selectAll()
    .where('cop_id', '=', copId)
    .where('status', '=', 'adopted')
    .orderBy('adopted_at')
    .orderBy('id')
    .execute();
}

export function findNorm(db: Conn, normId: number): Promise<Norm | undefined> {
  return db.selectFrom('norms').selectAll().where('id', '=', normId).executeTakeFirst();
}

export async function addRevision(db: Conn, norm: Pick<Norm, 'id' | 'title' | 'body'>, proposalId: number, now: Date) {
  await db
    .insertInto('norm_revisions')
    .values({ norm_id: norm.id, proposal_id: proposalId, title: norm.title, body: norm.body, created_at: now })
    .execute();
}

export function insertNorm(db: Conn, p: Proposal, now: Date): Promise<Norm> {
  return db
    .insertInto('norms')
    .values({
      cop_id: p.cop_id,
      title: p.title,
      body: p.body,
      status: 'adopted',
      adopted_at: now,
      created_by_proposal_id: p.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Changes an adopted norm's text; undefined when it is no longer adopted. */
export function changeNorm(db: Conn, normId: number, title: string, body: string): Promise<Norm | undefined> {
  return db
    .updateTable('norms')
    .set({ title, body })
    .where('id', '=', normId)
    .where('status', '=', 'adopted')
    .returningAll()
    .executeTakeFirst();
}

export function retireNorm(db: Conn, normId: number, now: Date): Promise<Norm | undefined> {
  return db
    .updateTable('norms')
    .set({ status: 'retired', retired_at: now })
    .where('id', '=', normId)
    .where('status', '=', 'adopted')
    .returningAll()
    .executeTakeFirst();
}

// ---- The rule ------------------------------------------------------------------

export async function updateRule(db: Conn, copId: number, rule: VoteRule, windowHours: number): Promise<void> {
  await db
    .updateTable('cops')
    .set({
      quorum_num: rule.quorumNum,
      quorum_den: rule.quorumDen,
      approval_num: rule.approvalNum,
      approval_den: rule.approvalDen,
      window_hours: windowHours,
    })
    .where('id', '=', copId)
    .execute();
}
