import { escapeText } from '../../slack/text';

/** How many anonymous struggles a CoP may post per hour, whoever posts them. */
export const STRUGGLES_PER_HOUR = 5;
/** How many anonymous replies and follow-ups a CoP may post per hour. */
export const ANONYMOUS_REPLIES_PER_HOUR = 30;
export const RATE_WINDOW_MS = 60 * 60 * 1000;

// Slack shows at most 3000 characters in a section; we keep room for our own words.
export const MAX_TEXT = 2500;
export const MAX_TRIED = 1500;
export const MAX_TAGS = 200;
const MAX_FORMATTED = 2900;

export type Field = 'text' | 'tags' | 'tried';

export interface StruggleInput {
  text: string;
  tags: string;
  tried: string;
}

/**
 * Text a member typed, made safe to show: no pings through `<!channel>` or `<@U…>`, no
 * disguised links, and no bare `@channel`/`@here`/`@everyone` for Slack to pick up.
 */
export function safeText(text: string): string {
  return escapeText(text).replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
}

/** Trims, collapses blank runs, and normalises tags to a comma-separated list. */
export function normaliseInput(raw: {
  text?: string | null;
  tags?: string | null;
  tried?: string | null;
}): StruggleInput {
  const clean = (s: string | null | undefined) =>
    (s ?? '')
      .replace(/\r\n?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  const tags = clean(raw.tags)
    .split(/[,\n]+/)
    // "#testing" and "testing" are the same topic; "C#" keeps its hash.
    .map((t) => t.trim().replace(/^#+/, '').trim().replace(/\s+/g, ' '))
    .filter((t) => t.length > 0);
  return { text: clean(raw.text), tags: [...new Set(tags)].join(', '), tried: clean(raw.tried) };
}

function tooLong(value: string, max: number): boolean {
  return value.length > max || safeText(value).length > MAX_FORMATTED;
}

/** Errors per field for a struggle; empty when it may be posted. */
export function validateStruggle(input: StruggleInput): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!input.text) errors.text = 'Write your struggle first: it cannot be empty.';
  else if (tooLong(input.text, MAX_TEXT))
    errors.text = `Please keep it under ${MAX_TEXT.toLocaleString('en-US')} characters (Slack shows no more).`;
  if (tooLong(input.tags, MAX_TAGS)) errors.tags = `Please keep the topics under ${MAX_TAGS} characters.`;
  if (tooLong(input.tried, MAX_TRIED))
    errors.tried = `Please keep this under ${MAX_TRIED.toLocaleString('en-US')} characters.`;
  return errors;
}

/** The error for an anonymous reply's text, if any. */
export function validateReply(text: string): string | undefined {
  if (!text) return 'Write your reply first: it cannot be empty.';
  if (tooLong(text, MAX_TEXT))
    return `Please keep it under ${MAX_TEXT.toLocaleString('en-US')} characters (Slack shows no more).`;
  return undefined;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * Whether one more anonymous post fits the CoP's hourly budget, from the times of the posts
 * already made in the window (no identity needed: the budget is the whole CoP's).
 */
export function rateDecision(recent: Date[], now: Date, limit: number): RateDecision {
  const windowStart = now.getTime() - RATE_WINDOW_MS;
  const inWindow = recent
    .map((d) => d.getTime())
    .filter((t) => t > windowStart)
    .sort((a, b) => a - b);
  if (inWindow.length < limit) return { allowed: true };
  // A slot frees when the oldest post that keeps us at the limit leaves the window.
  const freeing = inWindow[inWindow.length - limit]!;
  return { allowed: false, retryAt: new Date(freeing + RATE_WINDOW_MS) };
}

export function minutesUntil(when: Date, now: Date): number {
  return Math.max(1, Math.ceil((when.getTime() - now.getTime()) / 60_000));
}

/** A short one-line excerpt of user text (not yet escaped). */
export function excerpt(text: string, max = 140): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
