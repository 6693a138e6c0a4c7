import type { Norm, Proposal } from '../../db/schema';
import type { Conn } from './repository';

export interface Tallied {
  proposal: Proposal;
  supporters: number;
  objectors: number;
}

/** Every proposal that made, changed, retired, reviewed or tried to change these norms, oldest first, with tallies. */
export async function proposalsAbout(
  db: Conn,
  norms: Pick<Norm, 'id' | 'created_by_proposal_id'>[],
): Promise<Tallied[]> {
  if (norms.length === 0) return [];
  const rows = await db
    .selectFrom('proposals')
    .selectAll('proposals')
    .select((eb) => [
      eb
        .selectFrom('votes')
        .select((v) => v.fn.countAll<number>().as('n'))
        .whereRef('votes.proposal_id', '=', 'proposals.id')
        .where('votes.stance', '=', 'support')
        .as('supporters'),
      eb
        .selectFrom('votes')
        .select((v) => v.fn.countAll<number>().as('n'))
        .whereRef('votes.proposal_id', '=', 'proposals.id')
        .where('votes.stance', '=', 'object')
        .as('objectors'),
    ])
    .where((eb) =>
      eb.or([
        eb(
          'proposals.norm_id',
          'in',
          norms.map((n) => n.id),
        ),
        eb(
          'proposals.id',
          'in',
          norms.map((n) => n.created_by_proposal_id),
        ),
      ]),
    )
    .where('proposals.message_ts', 'is not', null)
    .orderBy('proposals.created_at')
    .orderBy('proposals.id')
    .execute();
  return rows.map(({ supporters, objectors, ...proposal }) => ({
    proposal,
    supporters: Number(supporters ?? 0),
    objectors: Number(objectors ?? 0),
  }));
}

/** The texts a norm had, by the proposal that gave each. */
export async function revisionsOf(db: Conn, normIds: number[]) {
  if (normIds.length === 0) return [];
  return db
    .selectFrom('norm_revisions')
    .select(['norm_id', 'proposal_id', 'title', 'body', 'created_at'])
    .where('norm_id', 'in', normIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** A CoP's norms, adopted and retired, oldest first. */
export function allNorms(db: Conn, copId: number): Promise<Norm[]> {
  return db.selectFrom('norms').selectAll().where('cop_id', '=', copId).orderBy('adopted_at').orderBy('id').execute();
}
