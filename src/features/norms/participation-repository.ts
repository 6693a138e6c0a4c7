import type { Proposal } from '../../db/schema';
import type { Conn } from './repository';

/** Decisions held in a CoP since the viewer joined it (posted, not superseded), and how many they voted on. */
export async function ownParticipation(
  db: Conn,
  copId: number,
  userId: string,
): Promise<{ held: number; voted: number }> {
  const row = await db
    .selectFrom('proposals')
    .innerJoin('members', (join) =>
      join.onRef('members.cop_id', '=', 'proposals.cop_id').on('members.user_id', '=', userId),
    )
    .leftJoin('votes', (join) =>
      join
        .onRef('votes.proposal_id', '=', 'proposals.id')
        .on('votes.user_id', '=', userId)
        .on('votes.stance', 'is not', null),
    )
    .select((eb) => [eb.fn.countAll<number>().as('held'), eb.fn.count<number>('votes.proposal_id').as('voted')])
    .where('proposals.cop_id', '=', copId)
    .where('proposals.message_ts', 'is not', null)
    .where('proposals.status', '!=', 'superseded')
    .whereRef('proposals.created_at', '>=', 'members.joined_at')
    .executeTakeFirstOrThrow();
  return { held: Number(row.held), voted: Number(row.voted) };
}

/** A CoP's decisions made since `since`, newest first, each with how many members voted. */
export async function decisionsSince(
  db: Conn,
  copId: number,
  since: Date,
): Promise<Array<{ proposal: Proposal; voters: number }>> {
  const rows = await db
    .selectFrom('proposals')
    .selectAll('proposals')
    .select((eb) =>
      eb
        .selectFrom('votes')
        .select((v) => v.fn.countAll<number>().as('n'))
        .whereRef('votes.proposal_id', '=', 'proposals.id')
        .where('votes.stance', 'is not', null)
        .as('voters'),
    )
    .where('proposals.cop_id', '=', copId)
    .where('proposals.status', 'in', ['adopted', 'declined'])
    .where('proposals.decided_at', '>=', since)
    .orderBy('proposals.decided_at', 'desc')
    .execute();
  return rows.map(({ voters, ...proposal }) => ({ proposal, voters: Number(voters ?? 0) }));
}
