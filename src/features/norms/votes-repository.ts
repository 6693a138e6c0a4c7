import { sql } from 'kysely';
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
  // Arrays rather than IN lists: one SQL text whatever the batch, so it is prepared once per connection.
  const ids = sql<number[]>`${[...new Set(on.ids)]}::int[]`;
  const channels = sql<string[]>`${[...new Set(on.messages.map((m) => m.channelId))]}::text[]`;
  const stamps = sql<string[]>`${[...new Set(on.messages.map((m) => m.messageTs))]}::text[]`;
  const voters = sql<string[]>`${[...new Set(voterIds)]}::text[]`;
  const rows = await db
    .selectFrom('proposals')
    .leftJoin('members', (join) =>
      join.onRef('members.cop_id', '=', 'proposals.cop_id').on((eb) => eb('members.user_id', '=', eb.fn.any(voters))),
    )
    .selectAll('proposals')
    .select((eb) => eb.fn.agg<Array<string | null>>('array_agg', ['members.user_id']).as('member_ids'))
    .where((eb) =>
      eb.or([
        eb('proposals.id', '=', eb.fn.any(ids)),
        eb.and([
          eb('proposals.channel_id', '=', eb.fn.any(channels)),
          eb('proposals.message_ts', '=', eb.fn.any(stamps)),
        ]),
      ]),
    )
    .groupBy('proposals.id')
    .execute();
  return rows.map(({ member_ids, ...proposal }) => ({
    proposal,
    memberIds: new Set((member_ids ?? []).filter((id): id is string => id !== null)),
  }));
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

/** One vote to write: a stance cast, or (`withdrawn`) a stance withdrawn by a removed reaction. */
export interface VoteWrite {
  /** Slack's event_id for a reaction, claimed with the vote; null for a click. */
  eventId: string | null;
  proposalId: number;
  userId: string;
  /** The stance cast, or the one withdrawn. */
  stance: Stance;
  withdraw: boolean;
  reason: string | null;
  /** When the member acted, as an ISO string with Slack's microseconds. */
  actedAt: string;
}

/** What became of one vote written: its event claimed now (a reaction), its stance stored. */
export interface VoteWritten {
  claimed: boolean;
  changed: boolean;
}

/** A batch's votes as a table: `unnest` over one array per column, so any size is one statement. */
interface InputRow {
  ord: number;
  event_id: string | null;
  proposal_id: number;
  user_id: string;
  stance: Stance | null;
  withdrawn: Stance | null;
  reason: string | null;
  acted_at: Date;
}

function inputOf(votes: VoteWrite[]) {
  const column = <T>(of: (v: VoteWrite, i: number) => T) => votes.map(of);
  // Kysely adds no parentheses around a raw common table expression.
  return sql<InputRow>`(select * from unnest(
    ${column((_, i) => i)}::int[],
    ${column((v) => v.eventId)}::text[],
    ${column((v) => v.proposalId)}::int[],
    ${column((v) => v.userId)}::text[],
    ${column((v) => (v.withdraw ? null : v.stance))}::text[],
    ${column((v) => (v.withdraw ? v.stance : null))}::text[],
    ${column((v) => (v.withdraw ? null : v.reason))}::text[],
    ${column((v) => v.actedAt)}::timestamptz[]
  ) as t(ord, event_id, proposal_id, user_id, stance, withdrawn, reason, acted_at))`;
}

/**
 * Writes a batch of votes in one statement, so one round trip and no transaction around it:
 * claims the reactions' events (a Slack retry, or the same event at another instance, counts
 * once), then stores the stances of the votes whose event was claimed now (or that have none):
 * each unless a later action of the same member is already stored, a withdrawal only where the
 * stance it names is the current one (with no vote stored yet, it keeps an empty one at that time,
 * so a late-delivered older reaction cannot win). Rows are locked in one order, event ids then
 * proposal and member (the sort takes every claim before the first stance), so concurrent
 * batches cannot deadlock. At most one vote per member and proposal in one call. Returns, in
 * the order given, what became of each vote.
 */
export async function writeVoteBatch(db: Conn, votes: VoteWrite[], now: Date): Promise<VoteWritten[]> {
  if (votes.length === 0) return [];
  const rows = await db
    .with('input', () => inputOf(votes))
    .with('claimed', (qc) =>
      qc
        .insertInto('processed_events')
        .columns(['event_id'])
        .expression(
          qc
            .selectFrom('input')
            .select('event_id')
            .where('event_id', 'is not', null)
            .orderBy('event_id')
            .$narrowType<{ event_id: string }>(),
        )
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id'),
    )
    .with('written', (qc) =>
      qc
        .insertInto('votes')
        .columns(['proposal_id', 'user_id', 'stance', 'reason', 'acted_at', 'updated_at'])
        .expression(
          qc
            .selectFrom('input')
            .select(['proposal_id', 'user_id', 'stance', 'reason', 'acted_at'])
            .select(sql<Date>`${now}::timestamptz`.as('updated_at'))
            .where((eb) =>
              eb.or([eb('event_id', 'is', null), eb('event_id', 'in', eb.selectFrom('claimed').select('event_id'))]),
            )
            .orderBy('proposal_id')
            .orderBy('user_id'),
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
            .where((eb) =>
              eb.and([
                eb('votes.acted_at', '<', eb.ref('excluded.acted_at')),
                eb.or([
                  eb('excluded.stance', 'is not', null),
                  eb(
                    'votes.stance',
                    '=',
                    eb
                      .selectFrom('input')
                      .select('input.withdrawn')
                      .whereRef('input.proposal_id', '=', 'excluded.proposal_id')
                      .whereRef('input.user_id', '=', 'excluded.user_id'),
                  ),
                ]),
              ]),
            ),
        )
        .returning(['proposal_id', 'user_id']),
    )
    .selectFrom('input')
    .leftJoin('claimed', 'claimed.event_id', 'input.event_id')
    .leftJoin('written', (join) =>
      join.onRef('written.proposal_id', '=', 'input.proposal_id').onRef('written.user_id', '=', 'input.user_id'),
    )
    .select((eb) => [
      'input.ord',
      eb('claimed.event_id', 'is not', null).as('claimed'),
      eb('written.user_id', 'is not', null).as('changed'),
    ])
    .orderBy('input.ord')
    .execute();
  return rows.map(({ claimed, changed }) => ({ claimed: Boolean(claimed), changed: Boolean(changed) }));
}
