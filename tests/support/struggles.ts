import { sql } from 'kysely';
import type { Db } from '../../src/db/database';
import { TEAM_ID, type SlackCall } from './fake-slack';
import { HOME_CHANNEL, type Harness } from './harness';

/** Helpers for driving the struggles feature through signed requests. */
export class StruggleDriver {
  constructor(private readonly h: Harness) {}

  /** `/cop struggle <prefill>`, then submits the modal with these values. */
  async share(user: string, values: { text?: string; tags?: string; tried?: string }, prefill = '') {
    await this.h.command(user, `struggle ${prefill}`.trim());
    const view = this.h.lastOpenedView('struggles:post');
    const result = await this.h.submitView(user, view, values);
    return { result, view, ack: result.body ? result.json() : {} };
  }

  /** Messages the bot posted at the top level of the home channel (struggle posts). */
  posts(): SlackCall[] {
    return this.h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.channel === HOME_CHANNEL && !c.params.thread_ts);
  }

  threadPosts(threadTs?: string): SlackCall[] {
    return this.h.fake
      .callsOf('chat.postMessage')
      .filter(
        (c) =>
          c.params.channel === HOME_CHANNEL && c.params.thread_ts && (!threadTs || c.params.thread_ts === threadTs),
      );
  }

  /** DMs sent straight to a user. */
  dmsTo(user: string): SlackCall[] {
    return this.h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === user);
  }

  /** A button value from the newest DM to `user`, by action id. */
  dmButton(user: string, actionId: string): string {
    const dm = this.dmsTo(user).at(-1);
    if (!dm) throw new Error(`no DM to ${user}`);
    const value = findAction(dm.params.blocks, actionId)?.value;
    if (typeof value !== 'string') throw new Error(`no ${actionId} button in the DM`);
    return value;
  }

  lastViewUpdate(): Record<string, unknown> {
    const call = this.h.fake.lastCall('views.update');
    if (!call) throw new Error('no views.update');
    return call.params.view as Record<string, unknown>;
  }

  /** A choice in a message's overflow menu. */
  overflow(user: string, value: string, messageTs: string) {
    return this.h.interaction({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0COP',
      token: 'legacy',
      container: { type: 'message', message_ts: messageTs, channel_id: HOME_CHANNEL, is_ephemeral: false },
      trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
      team: { id: TEAM_ID, domain: 'example' },
      channel: { id: HOME_CHANNEL, name: 'cop' },
      message: { ts: messageTs, type: 'message', user: 'UBOT', text: '' },
      response_url: this.h.fake.responseUrl(),
      actions: [
        {
          action_id: 'struggles:manage',
          block_id: 'b',
          type: 'overflow',
          selected_option: { text: { type: 'plain_text', text: 'x' }, value },
          action_ts: '1.2',
        },
      ],
    });
  }

  /** The "Hide (coordinators)" message shortcut, used by `user` on the bot's message at `messageTs`. */
  hideShortcut(user: string, messageTs: string) {
    return this.h.interaction({
      type: 'message_action',
      callback_id: 'struggles:hide',
      trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
      team: { id: TEAM_ID, domain: 'example' },
      user: { id: user, name: user.toLowerCase(), team_id: TEAM_ID },
      channel: { id: HOME_CHANNEL, name: 'cop' },
      message: { type: 'message', user: 'UBOT', bot_id: 'B0BOT', text: '', ts: messageTs },
      response_url: this.h.fake.responseUrl(),
      message_ts: messageTs,
      action_ts: '1.1',
      token: 'legacy',
    });
  }

  /** A member's ordinary reply in a thread, as the Events API delivers it. */
  threadReply(user: string, threadTs: string, text: string, ts: string) {
    return this.h.event({
      type: 'message',
      channel: HOME_CHANNEL,
      user,
      text,
      ts,
      thread_ts: threadTs,
      parent_user_id: 'UBOT',
      channel_type: 'channel',
      event_ts: ts,
    });
  }
}

function findAction(node: unknown, actionId: string): Record<string, unknown> | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findAction(child, actionId);
      if (found) return found;
    }
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.action_id === actionId) return record;
    for (const value of Object.values(record)) {
      const found = findAction(value, actionId);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every row of every table in the public schema, as JSON-ready objects, by table. */
export async function dumpDatabase(db: Db): Promise<Record<string, Record<string, unknown>[]>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const dump: Record<string, Record<string, unknown>[]> = {};
  for (const { table_name } of tables.rows) {
    // Every column as text, so generated tsvectors and the like are compared as stored.
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(db);
    dump[table_name] = rows.rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
    );
  }
  return dump;
}
