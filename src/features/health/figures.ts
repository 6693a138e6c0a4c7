import type { HealthFigure, HealthMetric } from '../types';

/** Each month's figures by metric; a metric absent from a month was not measured then. */
export type MonthTable = ReadonlyMap<string, ReadonlyMap<HealthMetric, number | null>>;

export function byMonth(months: readonly string[], figures: readonly HealthFigure[]): MonthTable {
  const table = new Map<string, Map<HealthMetric, number | null>>(months.map((m) => [m, new Map()]));
  for (const figure of figures) table.get(figure.month)?.set(figure.metric, figure.value);
  return table;
}

/** The chart's panels and the metrics each draws. */
export const PANELS = [
  { id: 'meetings', title: 'Meetings: people per meeting and the core group', metrics: ['attendance', 'coreGroup'] },
  { id: 'decisions', title: 'Members who voted on decisions (%)', metrics: ['votingShare'] },
  {
    id: 'struggles',
    title: 'Struggles shared, answered and marked helpful',
    metrics: ['strugglesShared', 'strugglesAnswered', 'strugglesHelpful'],
  },
  { id: 'pulse', title: 'Trust pulse (average, 1 to 5)', metrics: ['pulseStruggles', 'pulseVoice'] },
] as const satisfies ReadonlyArray<{ id: string; title: string; metrics: readonly HealthMetric[] }>;

export const METRIC_LABELS: Record<HealthMetric, string> = {
  meetings: 'Meetings held',
  attendance: 'People per meeting',
  coreGroup: 'Core group (3 of last 4)',
  votingShare: 'Voted on decisions (%)',
  strugglesShared: 'Shared',
  strugglesAnswered: 'Answered',
  strugglesHelpful: 'Marked helpful',
  pulseStruggles: 'I can bring my real struggles',
  pulseVoice: 'My voice counts',
};
