import type { Norm, Proposal } from '../../db/schema';
import * as historyRepo from './history-repository';
import type { Conn } from './repository';

/** One step in a norm's life: how it was decided (tallies, never names), and the text it then had. */
export interface HistoryStep {
  at: Date;
  what: 'adopted' | 'changed' | 'retired' | 'reaffirmed' | 'lapsed' | 'declined' | 'superseded' | 'open';
  /** The proposal's kind, for 'declined' and 'open' ("a change", "retiring it", "a review"). */
  kind: Proposal['kind'];
  proposal: Proposal;
  supporters: number;
  objectors: number;
  /** Members the rule counted (at the decision, or fixed when a review opened). */
  members: number | null;
  /** The norm's text from this step on (adoptions and changes). */
  text?: { title: string; body: string };
}

export interface NormHistory {
  norm: Norm;
  steps: HistoryStep[];
}

function stepOf(t: historyRepo.Tallied): Omit<HistoryStep, 'text'> {
  const p = t.proposal;
  const base = {
    at: p.decided_at ?? p.created_at,
    kind: p.kind,
    proposal: p,
    supporters: t.supporters,
    objectors: t.objectors,
    members: p.members_at_decision ?? p.members_at_open,
  };
  if (p.status === 'open') return { ...base, at: p.created_at, what: 'open' };
  if (p.status === 'superseded') return { ...base, what: 'superseded' };
  if (p.status === 'declined') return { ...base, what: p.kind === 'review' ? 'lapsed' : 'declined' };
  const adopted = { new: 'adopted', change: 'changed', retire: 'retired', review: 'reaffirmed' } as const;
  return { ...base, what: adopted[p.kind] };
}

/** The histories of these norms: every version, every decision about them, oldest first. */
export async function historiesOf(db: Conn, norms: Norm[]): Promise<NormHistory[]> {
  const [proposals, revisions] = await Promise.all([
    historyRepo.proposalsAbout(db, norms),
    historyRepo.revisionsOf(
      db,
      norms.map((n) => n.id),
    ),
  ]);
  return norms.map((norm) => {
    const about = proposals.filter(
      (t) => t.proposal.norm_id === norm.id || t.proposal.id === norm.created_by_proposal_id,
    );
    const steps = about.map((t): HistoryStep => {
      const revision = revisions.find((r) => r.norm_id === norm.id && r.proposal_id === t.proposal.id);
      const step = stepOf(t);
      return revision ? { ...step, text: { title: revision.title, body: revision.body } } : step;
    });
    return { norm, steps: steps.sort((a, b) => a.at.getTime() - b.at.getTime()) };
  });
}
