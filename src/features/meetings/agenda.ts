import type { Db } from '../../db/database';
import type { Cop } from '../../db/schema';
import { escapeText, truncate } from '../../slack/text';
import * as repo from './repository';

/** One part of a meeting's agenda as one member sees it. Lines are mrkdwn, already escaped. */
export interface AgendaSection {
  readonly title: string;
  readonly lines: string[];
}

export interface AgendaInput {
  readonly db: Db;
  readonly cop: Cop;
  readonly occurrenceId: number;
  /** When the previous meeting started (null if there was none): "since the last meeting". */
  readonly since: Date | null;
  readonly startsAt: Date;
}

/**
 * A source of agenda items. `load` runs once per fan-out (or view) and may query; the function
 * it returns is then called per member with no I/O, so 10,000 reminders cost a few queries.
 *
 * Other features plug in here: e.g. the struggles feature supplies "struggles posted since the
 * last meeting" through `meetingsFeature(ctx, { agendaProviders: [...] })`.
 */
export interface AgendaProvider {
  readonly name: string;
  load(input: AgendaInput): Promise<(userId: string) => AgendaSection | undefined>;
}

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
