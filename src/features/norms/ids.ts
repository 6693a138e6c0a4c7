/** Action and callback ids of the norms feature, prefixed so no other feature claims them. */
export const ACTION = {
  support: 'norms:support',
  object: 'norms:object',
  proposeOpen: 'norms:propose-open',
  ruleOpen: 'norms:rule-open',
  /** A review's "Propose a change" / "Propose retiring it": the proposal modal, prefilled. */
  reviewChange: 'norms:review-change',
  reviewRetire: 'norms:review-retire',
  history: 'norms:history',
  rhythmOpen: 'norms:rhythm-open',
} as const;

export const CALLBACK = {
  propose: 'norms:propose',
  objection: 'norms:objection',
  rule: 'norms:rule',
  rhythm: 'norms:rhythm',
} as const;

/** Block and action ids of the modals' inputs (each input uses the same id for both). */
export const FIELD = {
  kind: 'kind',
  norm: 'norm',
  title: 'title',
  body: 'body',
  rationale: 'rationale',
  reason: 'reason',
  anonymous: 'anonymous',
  quorum: 'quorum',
  approval: 'approval',
  windowDays: 'window_days',
  reviewMonths: 'review_months',
} as const;

export const LIMITS = { title: 150, body: 2000, rationale: 1000, reason: 1000 } as const;
