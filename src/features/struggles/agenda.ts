import { escapeText, truncate } from '../../slack/text';
import { agendaSection } from '../agenda-section';
import type { AgendaProvider } from '../types';
import { listStrugglesSince } from './repository';

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** "Struggles posted since the last meeting", for each member's reminder and /cop meeting. */
export const strugglesSinceLastMeeting: AgendaProvider = {
  name: 'struggles',
  async load({ db, cop, since, startsAt }) {
    // Before the first meeting, the week before it.
    const from = since ?? new Date(startsAt.getTime() - WEEK);
    const struggles = await listStrugglesSince(db, cop.id, from);
    const lines = struggles.map((s) => {
      const excerpt = escapeText(truncate(s.excerpt, 120));
      const resolved = s.resolved ? ' _(resolved)_' : '';
      return s.permalink ? `• <${s.permalink}|${excerpt}>${resolved}` : `• ${excerpt}${resolved}`;
    });
    const section = agendaSection('Struggles shared since the last meeting', lines);
    return () => section;
  },
};
