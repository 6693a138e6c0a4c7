import { escapeText, truncate } from '../../slack/text';
import type { AgendaInput, AgendaProvider, AgendaSection } from '../types';
import * as repo from './repository';

export type { AgendaInput, AgendaProvider, AgendaSection };

const MAX_LINES = 8;

function capped(title: string, lines: string[]): AgendaSection | undefined {
  if (lines.length === 0) return undefined;
  const shown = lines.slice(0, MAX_LINES);
  if (lines.length > MAX_LINES) shown.push(`_…and ${lines.length - MAX_LINES} more_`);
  return { title, lines: shown };
}

/** Open proposals the member has not voted on yet. */
export const proposalsAwaitingVote: AgendaProvider = {
  name: 'proposals',
  async load({ db, cop }) {
    const proposals = await repo.openProposalsWithVoters(db, cop.id);
    return (userId) =>
      capped(
        'Proposals awaiting your vote',
        proposals
          .filter((p) => !p.voters.has(userId))
          .map((p) => `• ${escapeText(truncate(p.title, 150))} (vote in <#${p.channel_id}>)`),
      );
  },
};

/** Topics members added with `/cop topic`. */
export const memberTopics: AgendaProvider = {
  name: 'topics',
  async load({ db, occurrenceId }) {
    const topics = await repo.listTopics(db, occurrenceId);
    const section = capped(
      'Topics members added',
      topics.map((t) => `• ${escapeText(t)}`),
    );
    return () => section;
  },
};

/** Loads every provider; a failing one is left out rather than stopping the reminders. */
export async function loadAgenda(
  providers: readonly AgendaProvider[],
  input: AgendaInput,
  onError: (provider: string, error: unknown) => void,
): Promise<(userId: string) => AgendaSection[]> {
  const loaded: Array<(userId: string) => AgendaSection | undefined> = [];
  for (const provider of providers) {
    try {
      loaded.push(await provider.load(input));
    } catch (error) {
      onError(provider.name, error);
    }
  }
  return (userId) => loaded.map((f) => f(userId)).filter((s): s is AgendaSection => s !== undefined);
}
