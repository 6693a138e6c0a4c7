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
