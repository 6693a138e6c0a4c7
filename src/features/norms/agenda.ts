import { escapeText, truncate } from '../../slack/text';
import { agendaSection } from '../agenda-section';
import type { AgendaProvider } from '../types';
import { openProposalsWithVoters } from './votes-repository';

/** On each meeting's reminders: the open proposals the member has not voted on yet. */
export const proposalsAwaitingVote: AgendaProvider = {
  name: 'proposals',
  async load({ db, cop }) {
    const proposals = await openProposalsWithVoters(db, cop.id);
    return (userId) =>
      agendaSection(
        'Proposals awaiting your vote',
        proposals
          .filter((p) => !p.voters.has(userId))
          .map((p) => `• ${escapeText(truncate(p.title, 150))} (vote in <#${p.channel_id}>)`),
      );
  },
};
