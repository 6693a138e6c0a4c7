import { escapeText } from '../../slack/text';
import { agendaSection } from '../agenda-section';
import type { AgendaInput, AgendaProvider, AgendaSection } from '../types';
import * as repo from './repository';

export type { AgendaInput, AgendaProvider, AgendaSection };

/** Topics members added with `/cop topic`. */
export const memberTopics: AgendaProvider = {
  name: 'topics',
  async load({ db, occurrenceId }) {
    const topics = await repo.listTopics(db, occurrenceId);
    const section = agendaSection(
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
