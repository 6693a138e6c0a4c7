import { createHmac } from 'node:crypto';

export interface HttpResult {
  status: number;
  body: string;
  json(): Record<string, unknown>;
}

/** Slack's v0 request signature over `v0:<timestamp>:<body>`. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Sends a body to the bot's request URL the way Slack does, signed (or not) as asked. */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  options: { timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** The fields of a `/cop <text>` slash command as Slack posts them (form fields, or a Socket Mode payload). */
export function slashCommand(c: {
  teamId: string;
  channel: string;
  user: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  return {
    token: 'legacy',
    team_id: c.teamId,
    team_domain: 'example',
    channel_id: c.channel,
    channel_name: 'cop',
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: '/cop',
    text: c.text,
    api_app_id: 'A0COP',
    response_url: c.responseUrl,
    trigger_id: c.triggerId,
  };
}
