import type { Kysely, Transaction } from 'kysely';
import type { Database, NewProposal, Norm, Proposal, ProposalStatus, Stance } from '../../db/schema';
import type { Tally, VoteRule } from './rules';

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

export function findProposalByMessage(db: Conn, channelId: string, ts: string): Promise<Proposal | undefined> {
  return db
    .selectFrom('proposals')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('message_ts', '=', ts)
    .executeTakeFirst();
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

// ---- Votes ---------------------------------------------------------------------

/** The tally and the member count in one round trip: what deciding needs after every vote. */
export async function tallyAndMembers(
  db: Conn,
  proposal: Pick<Proposal, 'id' | 'cop_id'>,
): Promise<{ tally: Tally; members: number }> {
  const row = await db
    .selectFrom('members')
    .leftJoin('votes', (join) =>
      join.onRef('votes.user_id', '=', 'members.user_id').on('votes.proposal_id', '=', proposal.id),
    )
    .select((eb) => [
      eb.fn.countAll<number>().as('members'),
      eb.fn.countAll<number>().filterWhere('votes.stance', '=', 'support').as('supporters'),
      eb.fn.countAll<number>().filterWhere('votes.stance', '=', 'object').as('objectors'),
    ])
    .where('members.cop_id', '=', proposal.cop_id)
    .executeTakeFirstOrThrow();
  const supporters = Number(row.supporters);
  const objectors = Number(row.objectors);
  return { tally: { supporters, objectors, participants: supporters + objectors }, members: Number(row.members) };
}

/** Whether a proposal takes votes now, and whether the user is a member of its CoP (from the cache). */
export async function voteContext(
  db: Conn,
  proposalId: number,
  userId: string,
): Promise<{ proposal: Proposal; member: boolean } | undefined> {
  const row = await db
    .selectFrom('proposals')
    .selectAll('proposals')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('members')
            .select('members.user_id')
            .whereRef('members.cop_id', '=', 'proposals.cop_id')
            .where('members.user_id', '=', userId),
        )
        .as('is_member'),
    )
    .where('proposals.id', '=', proposalId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { is_member, ...proposal } = row;
  return { proposal, member: Boolean(is_member) };
}

/** Members with a stance on the proposal now. */
export async function listVoters(db: Conn, proposalId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('votes')
    .select('user_id')
    .where('proposal_id', '=', proposalId)
    .where('stance', 'is not', null)
    .execute();
  return rows.map((r) => r.user_id);
}

/** A user's stances on several proposals, by proposal id. */
export async function stancesOf(db: Conn, userId: string, proposalIds: number[]): Promise<Map<number, Stance>> {
  if (proposalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('votes')
    .select(['proposal_id', 'stance'])
    .where('user_id', '=', userId)
    .where('proposal_id', 'in', proposalIds)
    .where('stance', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.proposal_id, r.stance!]));
}

export interface VoteWrite {
  proposalId: number;
  userId: string;
  /** When the member acted, as an ISO string with Slack's microseconds. */
  actedAt: string;
  now: Date;
}

/** Records a stance unless a later action of the same member is already stored. True when it took. */
export async function recordStance(
  db: Conn,
  vote: VoteWrite & { stance: Stance; reason: string | null },
): Promise<boolean> {
  const row = await db
    .insertInto('votes')
    .values({
      proposal_id: vote.proposalId,
      user_id: vote.userId,
      stance: vote.stance,
      reason: vote.reason,
      acted_at: vote.actedAt,
      updated_at: vote.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['proposal_id', 'user_id'])
        .doUpdateSet((eb) => ({
          stance: eb.ref('excluded.stance'),
          reason: eb.ref('excluded.reason'),
          acted_at: eb.ref('excluded.acted_at'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .whereRef('votes.acted_at', '<', 'excluded.acted_at'),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Withdraws a stance (a removed reaction) if it is the member's current one and older. With no
 * vote stored yet, keeps an empty one at that time, so a late-delivered older reaction cannot win.
 */
export async function withdrawStance(db: Conn, vote: VoteWrite & { stance: Stance }): Promise<boolean> {
  const row = await db
    .insertInto('votes')
    .values({
      proposal_id: vote.proposalId,
      user_id: vote.userId,
      stance: null,
      reason: null,
      acted_at: vote.actedAt,
      updated_at: vote.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['proposal_id', 'user_id'])
        .doUpdateSet((eb) => ({
          stance: null,
          reason: null,
          acted_at: eb.ref('excluded.acted_at'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('votes.stance', '=', vote.stance)
        .whereRef('votes.acted_at', '<', 'excluded.acted_at'),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
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
