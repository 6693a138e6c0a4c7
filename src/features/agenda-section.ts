import type { AgendaSection } from './types';

/** The most lines an agenda section shows; the rest are counted. */
export const AGENDA_MAX_LINES = 8;

/** A reminder's agenda section: at most AGENDA_MAX_LINES lines, then "…and N more"; none when empty. */
export function agendaSection(title: string, lines: readonly string[]): AgendaSection | undefined {
  if (lines.length === 0) return undefined;
  const shown = lines.slice(0, AGENDA_MAX_LINES);
  if (lines.length > AGENDA_MAX_LINES) shown.push(`_…and ${lines.length - AGENDA_MAX_LINES} more_`);
  return { title, lines: shown };
}
