import type { WebClient } from '@slack/web-api';

/** A message, as chat.getPermalink names it. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * Links to messages from chat.getPermalink, which knows the workspace's own domain (Enterprise
 * Grid, custom domains), unlike a hand-built slack.com/archives URL. A message's permalink never
 * changes, so each is asked for once per process; a failed lookup is not remembered.
 */
export class Permalinks {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly max = 5_000,
  ) {}

  /** The message's permalink, or undefined when Slack cannot give one now. */
  async of(ref: MessageRef): Promise<string | undefined> {
    const key = `${ref.channel}:${ref.ts}`;
    const cached = this.known.get(key);
    if (cached) return cached;
    try {
      const { permalink } = await this.client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts });
      if (!permalink) return undefined;
      if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
      this.known.set(key, permalink);
      return permalink;
    } catch {
      return undefined;
    }
  }

  /** Permalinks of several messages at once, by the id the caller gave each; missing ones left out. */
  async all<K>(refs: ReadonlyArray<{ id: K; ref: MessageRef | undefined }>): Promise<Map<K, string>> {
    const found = await Promise.all(refs.map(async ({ id, ref }) => [id, ref && (await this.of(ref))] as const));
    return new Map(found.filter((entry): entry is readonly [K, string] => entry[1] !== undefined));
  }
}
