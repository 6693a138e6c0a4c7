import type { KnownBlock } from '@slack/types';
import { actions, button, homeTitle, section } from '../../slack/blocks';
import { quote } from '../../slack/text';
import type { StruggleSummary } from './repository';
import { excerpt, safeText } from './rules';
import type { SearchHit } from './search-repository';
import type { ReplyRow } from './tables';
import { IDS, linkTo } from './views';

// ---- Search --------------------------------------------------------------

export const SEARCH_USAGE =
  'Search past struggles and their helpful answers: `/cop search <words>`, e.g. `/cop search flaky tests`. ' +
  'Use quotes for a phrase and `-word` to leave a word out.';

export function searchResults(
  words: string,
  hits: SearchHit[],
  helpful: ReplyRow[],
): { text: string; blocks: KnownBlock[] } {
  // The words as typed, without the quote marks of a phrase search: we put them in quotes ourselves.
  const shown = safeText(excerpt(words.replace(/["“”]/g, '').replace(/\s+/g, ' ').trim(), 100));
  if (hits.length === 0) {
    const text = `No struggles match “${shown}”. Try other words, or share yours with \`/cop struggle\`.`;
    return { text, blocks: [section(text)] };
  }
  const blocks: KnownBlock[] = [section(`*Struggles matching “${shown}”*, best first (${hits.length}):`)];
  for (const hit of hits) {
    const answers = helpful.filter((r) => r.struggle_id === hit.id).slice(0, 3);
    const lines = [
      // The excerpt on lines of its own: a block quote's ">" only works at the start of a line.
      hit.resolved ? ':white_check_mark: *Resolved*' : ':thought_balloon: *Open*',
      quote(safeText(excerpt(hit.text, 300))),
      `${linkTo(hit.permalink, hit.channelId, 'Open the thread')}${hit.tags ? ` · Topics: ${safeText(hit.tags)}` : ''}`,
    ];
    if (answers.length) {
      lines.push('*Helpful answers*');
      for (const a of answers) {
        const who = a.kind === 'original_poster' ? 'original poster' : a.kind === 'anonymous' ? 'anonymous' : 'member';
        lines.push(`:bulb: ${safeText(excerpt(a.text, 300))} _(${who})_`);
      }
    }
    blocks.push(section(lines.join('\n')));
  }
  return { text: `${hits.length} struggle${hits.length === 1 ? '' : 's'} match “${shown}”.`, blocks };
}

// ---- App Home ------------------------------------------------------------

export function homeSection(copId: number, recent: StruggleSummary[]): KnownBlock[] {
  const lines = recent.map(
    (s) =>
      `• ${s.resolved ? ':white_check_mark: ' : ''}${linkTo(s.permalink, s.channelId, safeText(excerpt(s.excerpt, 80)) || 'a struggle')}`,
  );
  return [
    homeTitle(':thought_balloon:', 'Recent struggles'),
    section(lines.length ? lines.join('\n') : 'None shared yet. Be the first: it is anonymous.'),
    actions(`struggles:home:${copId}`, button('Share a struggle anonymously', IDS.open, String(copId))),
  ];
}

/** The coordinators' part: how to moderate, since the public posts carry no coordinator control. */
export function homeModerationBlocks(): KnownBlock[] {
  return [
    section(
      '*Moderation:* to hide an anonymous struggle or reply, open its message menu (⋮) → *Hide (coordinators)*. ' +
        'Members report posts to you from the post’s ⋮ menu; a report comes as a DM with a *Hide it* button.',
    ),
  ];
}
