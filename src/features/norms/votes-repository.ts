import type { Proposal, Stance } from '../../db/schema';
import type { Conn } from './repository';
import type { Tally } from './rules';

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

/** Proposals with their tallies and member counts, one pass over the members per proposal. */
function proposalsWithTallies(db: Conn) {
  return db
    .selectFrom('proposals')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('members')
          .leftJoin('votes', (join) =>
            join.onRef('votes.user_id', '=', 'members.user_id').onRef('votes.proposal_id', '=', 'proposals.id'),
          )
          .select((sub) => [
            sub.fn.countAll<number>().as('member_count'),
            sub.fn.countAll<number>().filterWhere('votes.stance', '=', 'support').as('supporters'),
            sub.fn.countAll<number>().filterWhere('votes.stance', '=', 'object').as('objectors'),
          ])
          .whereRef('members.cop_id', '=', 'proposals.cop_id')
          .as('t'),
      (join) => join.onTrue(),
    )
    .selectAll('proposals')
    .select(['t.member_count', 't.supporters', 't.objectors']);
}

type TallyRow = Proposal & { member_count: number | null; supporters: number | null; objectors: number | null };

function withTally({ member_count, supporters, objectors, ...proposal }: TallyRow) {
  const support = Number(supporters ?? 0);
  const object = Number(objectors ?? 0);
  return {
    proposal,
    tally: { supporters: support, objectors: object, participants: support + object },
    members: Number(member_count ?? 0),
  };
}

/** A CoP's open, posted proposals with their tallies and the member count, in one round trip. */
export async function openProposalsWithTallies(
  db: Conn,
  copId: number,
): Promise<Array<{ proposal: Proposal; tally: Tally; members: number }>> {
  const rows = await proposalsWithTallies(db)
    .where('proposals.cop_id', '=', copId)
    .where('proposals.status', '=', 'open')
    .where('proposals.message_ts', 'is not', null)
    .orderBy('proposals.closes_at')
    .orderBy('proposals.id')
    .execute();
  return rows.map(withTally);
}

/** One proposal as it stands, with its tally and member count, in one round trip: what settling reads. */
export async function proposalWithTally(
  db: Conn,
  proposalId: number,
): Promise<{ proposal: Proposal; tally: Tally; members: number } | undefined> {
  const row = await proposalsWithTallies(db).where('proposals.id', '=', proposalId).executeTakeFirst();
  return row && withTally(row);
}

/**
 * The proposals voted on, by id (buttons) or by their message (reactions), each with which of
 * the voters are members of its CoP, in one round trip. A superset: the caller matches votes.
 */
export async function proposalsVotedOn(
  db: Conn,
  on: { ids: number[]; messages: Array<{ channelId: string; messageTs: string }> },
  voterIds: string[],
): Promise<Array<{ proposal: Proposal; memberIds: Set<string> }>> {
  const channels = [...new Set(on.messages.map((m) => m.channelId))];
  const stamps = [...new Set(on.messages.map((m) => m.messageTs))];
  const voters = voterIds.length ? [...new Set(voterIds)] : [''];
  const rows = await db
    .selectFrom('proposals')
    .leftJoin('members', (join) =>
      join.onRef('members.cop_id', '=', 'proposals.cop_id').on('members.user_id', 'in', voters),
    )
    .selectAll('proposals')
    .select((eb) => eb.fn.agg<Array<string | null>>('array_agg', ['members.user_id']).as('member_ids'))
    .where((eb) => {
      const either = [];
      if (on.ids.length) either.push(eb('proposals.id', 'in', on.ids));
      if (stamps.length) {
        either.push(eb.and([eb('proposals.channel_id', 'in', channels), eb('proposals.message_ts', 'in', stamps)]));
      }
      return either.length ? eb.or(either) : eb.val(false);
    })
    .groupBy('proposals.id')
    .execute();
  return rows.map(({ member_ids, ...proposal }) => ({
    proposal,
    memberIds: new Set((member_ids ?? []).filter((id): id is string => id !== null)),
  }));
}

/** Claims Slack events as processed; returns those claimed now (not already, by a retry or another instance). */
export async function claimEvents(db: Conn, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await db
    .insertInto('processed_events')
    .values(eventIds.map((event_id) => ({ event_id })))
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .execute();
  return new Set(rows.map((r) => r.event_id));
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
}

/** Identifies one member's vote on one proposal, as the writers below report it. */
export const voteKey = (proposalId: number, userId: string): string => `${proposalId}\u0000${userId}`;

/**
 * Records stances, each unless a later action of the same member is already stored. Returns the
 * keys (voteKey) that took. At most one row per member and proposal in one call.
 */
export async function recordStances(
  db: Conn,
  votes: Array<VoteWrite & { stance: Stance; reason: string | null }>,
  now: Date,
): Promise<Set<string>> {
  if (votes.length === 0) return new Set();
  const rows = await db
    .insertInto('votes')
    .values(
      votes.map((v) => ({
        proposal_id: v.proposalId,
        user_id: v.userId,
        stance: v.stance,
        reason: v.reason,
        acted_at: v.actedAt,
        updated_at: now,
      })),
    )
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
    .returning(['proposal_id', 'user_id'])
    .execute();
  return new Set(rows.map((r) => voteKey(r.proposal_id, r.user_id)));
}

/**
 * Withdraws `stance` (removed reactions) where it is the member's current one and older. With no
 * vote stored yet, keeps an empty one at that time, so a late-delivered older reaction cannot win.
 * Returns the keys (voteKey) that took.
 */
export async function withdrawStances(db: Conn, stance: Stance, votes: VoteWrite[], now: Date): Promise<Set<string>> {
  if (votes.length === 0) return new Set();
  const rows = await db
    .insertInto('votes')
    .values(
      votes.map((v) => ({
        proposal_id: v.proposalId,
        user_id: v.userId,
        stance: null,
        reason: null,
        acted_at: v.actedAt,
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['proposal_id', 'user_id'])
        .doUpdateSet((eb) => ({
          stance: null,
          reason: null,
          acted_at: eb.ref('excluded.acted_at'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('votes.stance', '=', stance)
        .whereRef('votes.acted_at', '<', 'excluded.acted_at'),
    )
    .returning(['proposal_id', 'user_id'])
    .execute();
  return new Set(rows.map((r) => voteKey(r.proposal_id, r.user_id)));
}
