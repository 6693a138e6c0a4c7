/**
 * Escapes user text for Slack mrkdwn so it renders as typed: no pings (`<!channel>`,
 * `<@U…>`), no links or markup smuggled in through angle brackets.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Quotes every line of (already escaped) text as a Slack block quote. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

export const mention = (userId: string): string => `<@${userId}>`;
export const channelLink = (channelId: string): string => `<#${channelId}>`;

/**
 * A Slack date token: each reader sees the time in their own Slack time zone. The fallback is
 * what clients that cannot format it show (notifications, old clients): give it in the
 * reader's zone when there is one reader, else in the zone the time is set in.
 */
export function dateToken(at: Date, fallback: string, format = '{date_long_pretty} at {time}'): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${fallback.replace(/[|<>]/g, ' ')}>`;
}
