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

/** One vote to write: a stance cast, or (`withdraw`) a stance withdrawn by a removed reaction. */
export interface VoteWrite {
  /** Slack's event_id for a reaction, claimed with the vote; null for a click. */
  eventId: string | null;
  /** The proposal voted on: by id (a button, the objection modal) or by its message (a reaction). */
  on: { proposalId: number } | { channelId: string; messageTs: string };
  userId: string;
  /** The stance cast, or the one withdrawn. */
  stance: Stance;
  withdraw: boolean;
  reason: string | null;
  /** When the member acted, as an ISO string with Slack's microseconds. */
  actedAt: string;
}

/**
 * What became of one vote: the proposal it is on (none: not a proposal), whether the voter is a
 * member of its CoP, whether its event was claimed now, whether its stance was stored.
 */
export interface VoteWritten {
  proposal: Proposal | undefined;
  member: boolean;
  claimed: boolean;
  changed: boolean;
}

/** A batch's votes as a table: `unnest` over one array per column, so any size is one statement. */
interface InputRow {
  ord: number;
  event_id: string | null;
  proposal_id: number | null;
  channel_id: string | null;
  message_ts: string | null;
  user_id: string;
  stance: Stance | null;
  withdrawn: Stance | null;
  reason: string | null;
  acted_at: Date;
}

function inputOf(votes: VoteWrite[]) {
  const column = <T>(of: (v: VoteWrite, i: number) => T) => votes.map(of);
  const byMessage = (v: VoteWrite) => ('proposalId' in v.on ? undefined : v.on);
  // Kysely adds no parentheses around a raw common table expression.
  return sql<InputRow>`(select * from unnest(
    ${column((_, i) => i)}::int[],
    ${column((v) => v.eventId)}::text[],
    ${column((v) => ('proposalId' in v.on ? v.on.proposalId : null))}::int[],
    ${column((v) => byMessage(v)?.channelId ?? null)}::text[],
    ${column((v) => byMessage(v)?.messageTs ?? null)}::text[],
    ${column((v) => v.userId)}::text[],
    ${column((v) => (v.withdraw ? null : v.stance))}::text[],
    ${column((v) => (v.withdraw ? v.stance : null))}::text[],
    ${column((v) => (v.withdraw ? null : v.reason))}::text[],
    ${column((v) => v.actedAt)}::timestamptz[]
  ) as t(ord, event_id, proposal_id, channel_id, message_ts, user_id, stance, withdrawn, reason, acted_at))`;
}

/**
 * Writes a batch of votes in one statement, so one round trip and no transaction around it. It
 * finds each vote's proposal (by id or by message) and whether the voter is a member; for the
 * votes that may count (the proposal open at `now`, a member: what `judgeVote` asks before the
 * delivery, and the caller judges each vote by `judgeVote` from the facts returned) it claims the
 * reactions' events (a Slack retry, or the same event at another instance, counts once; a
 * refused vote's event stays unclaimed, so it can count when delivered again) and stores the
 * stances of those claimed now (or with no event): each unless a later action of the same member
 * is already stored, a withdrawal only where the stance it names is the current one (with no vote
 * stored yet, it keeps an empty one at that time, so a late-delivered older reaction cannot win).
 * Rows are locked in one order, event ids then proposal and member (the sort takes every claim
 * before the first stance), so concurrent batches cannot deadlock. At most one vote per member
 * in one call. Returns, in the order given, what became of each vote.
 */
export async function writeVoteBatch(db: Conn, votes: VoteWrite[], now: Date): Promise<VoteWritten[]> {
  if (votes.length === 0) return [];
  const rows = await db
    .with('input', () => inputOf(votes))
    .with('facts', (qc) =>
      qc
        .selectFrom('input')
        .leftJoin('proposals', (join) =>
          join.on((eb) =>
            eb(
              'proposals.id',
              '=',
              eb.fn.coalesce(
                'input.proposal_id',
                eb
                  .selectFrom('proposals as by_message')
                  .select('by_message.id')
                  .whereRef('by_message.channel_id', '=', 'input.channel_id')
                  .whereRef('by_message.message_ts', '=', 'input.message_ts')
                  .limit(1),
              ),
            ),
          ),
        )
        .selectAll('input')
        .select((eb) => {
          const member = eb.exists(
            eb
              .selectFrom('members')
              .select('members.user_id')
              .whereRef('members.cop_id', '=', 'proposals.cop_id')
              .whereRef('members.user_id', '=', 'input.user_id'),
          );
          return [
            'proposals.id as voted_on',
            member.as('member'),
            eb.and([eb('proposals.status', '=', 'open'), eb('proposals.closes_at', '>', now), member]).as('may_count'),
          ];
        }),
    )
    .with('claimed', (qc) =>
      qc
        .insertInto('processed_events')
        .columns(['event_id'])
        .expression(
          qc
            .selectFrom('facts')
            .select('event_id')
            .where('event_id', 'is not', null)
            .where('may_count', '=', true)
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
            .selectFrom('facts')
            .select(['voted_on', 'user_id', 'stance', 'reason', 'acted_at'])
            .select(sql<Date>`${now}::timestamptz`.as('updated_at'))
            .where('may_count', '=', true)
            .where((eb) =>
              eb.or([eb('event_id', 'is', null), eb('event_id', 'in', eb.selectFrom('claimed').select('event_id'))]),
            )
            .orderBy('voted_on')
            .orderBy('user_id')
            .$narrowType<{ voted_on: number }>(),
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
                      .selectFrom('facts')
                      .select('facts.withdrawn')
                      .whereRef('facts.voted_on', '=', 'excluded.proposal_id')
                      .whereRef('facts.user_id', '=', 'excluded.user_id'),
                  ),
                ]),
              ]),
            ),
        )
        .returning(['proposal_id', 'user_id']),
    )
    .selectFrom('facts')
    .leftJoin('proposals', 'proposals.id', 'facts.voted_on')
    .leftJoin('claimed', 'claimed.event_id', 'facts.event_id')
    .leftJoin('written', (join) =>
      join.onRef('written.proposal_id', '=', 'facts.voted_on').onRef('written.user_id', '=', 'facts.user_id'),
    )
    .selectAll('proposals')
    .select((eb) => [
      'facts.ord',
      'facts.member',
      eb('claimed.event_id', 'is not', null).as('claimed'),
      eb('written.user_id', 'is not', null).as('changed'),
    ])
    .orderBy('facts.ord')
    .execute();
  return rows.map(({ ord: _ord, member, claimed, changed, ...proposal }) => ({
    proposal: proposal.id === null ? undefined : (proposal as Proposal),
    member: Boolean(member),
    claimed: Boolean(claimed),
    changed: Boolean(changed),
  }));
}

/** Open proposals of the CoP, and for each the members who already voted with a stance. */
export async function openProposalsWithVoters(db: Conn, copId: number) {
  const proposals = await db
    .selectFrom('proposals')
    .select(['id', 'title', 'closes_at', 'channel_id'])
    .where('cop_id', '=', copId)
    .where('status', '=', 'open')
    .orderBy('closes_at')
    .execute();
  if (proposals.length === 0) return [];
  const votes = await db
    .selectFrom('votes')
    .select(['proposal_id', 'user_id'])
    .where(
      'proposal_id',
      'in',
      proposals.map((p) => p.id),
    )
    .where('stance', 'is not', null)
    .execute();
  return proposals.map((p) => ({
    ...p,
    voters: new Set(votes.filter((v) => v.proposal_id === p.id).map((v) => v.user_id)),
  }));
}
