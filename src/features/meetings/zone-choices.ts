import { isValidZone } from './schedule';

// ICU still lists a few zones by their old names; Slack profiles and people use the current ones.
const CURRENT_NAMES: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Europe/Kiev': 'Europe/Kyiv',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Godthab': 'America/Nuuk',
};

/** Every IANA zone this runtime knows, e.g. `Europe/Amsterdam`, by name, and UTC. */
const ALL_ZONES: readonly string[] = [
  ...Intl.supportedValuesOf('timeZone').map((zone) => CURRENT_NAMES[zone] ?? zone),
  'UTC',
]
  .filter(isValidZone)
  .sort();

/** Slack shows at most 100 options in an external select. */
export const MAX_ZONE_CHOICES = 100;

const normalise = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');

/**
 * The zones offered as someone types in the meeting form: those whose name contains what was
 * typed (spaces and underscores alike, any case), `preferred` ones first (the coordinator's
 * own zone, the meeting's), at most `max`.
 */
export function zoneChoices(query: string, preferred: readonly (string | null | undefined)[], max = MAX_ZONE_CHOICES) {
  const wanted = normalise(query);
  const matches = (zone: string) => !wanted || normalise(zone).includes(wanted);
  const first = [...new Set(preferred.filter((z): z is string => Boolean(z) && isValidZone(z!)))];
  const rest = ALL_ZONES.filter((zone) => !first.includes(zone));
  return [...first, ...rest].filter(matches).slice(0, max);
}
