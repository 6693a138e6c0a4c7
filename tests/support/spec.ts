/**
 * Helpers for the acceptance tests (tests/e2e/spec-*.test.ts). They act as an outside checker
 * would: buttons are found by what their text says, in the messages and views the bot sent.
 */
import { sql } from 'kysely';
import { HOME_CHANNEL, textOf, type Harness } from './harness';
import type { SlackCall } from './fake-slack';

export type Json = Record<string, unknown>;

export interface FoundButton {
  action_id: string;
  value?: string;
  text: string;
}

/** Every button (and overflow option) in a list of blocks, with its visible text. */
export function buttonsIn(blocks: unknown): FoundButton[] {
  const found: FoundButton[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      if (n.type === 'button' && typeof n.action_id === 'string') {
        found.push({
          action_id: n.action_id,
          value: typeof n.value === 'string' ? n.value : undefined,
          text: String((n.text as Json | undefined)?.text ?? ''),
        });
      }
      for (const value of Object.values(n)) walk(value);
    }
  };
  walk(blocks);
  return found;
}

export function findButton(source: Json | undefined, text: RegExp): FoundButton {
  const blocks = source?.blocks ?? (source?.view as Json | undefined)?.blocks;
  const all = buttonsIn(blocks);
  const button = all.find((b) => text.test(b.text));
  if (!button) throw new Error(`no button whose text matches ${text}; found: ${all.map((b) => b.text).join(', ')}`);
  return button;
}

export interface FoundOption {
  action_id: string;
  value: string;
  text: string;
}

/** Options of overflow menus in blocks, with their visible text. */
export function overflowOptions(blocks: unknown): FoundOption[] {
  const found: FoundOption[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      if (n.type === 'overflow' && typeof n.action_id === 'string') {
        for (const o of (n.options ?? []) as Json[]) {
          found.push({
            action_id: n.action_id,
            value: String(o.value),
            text: String((o.text as Json | undefined)?.text ?? ''),
          });
        }
      }
      for (const value of Object.values(n)) walk(value);
    }
  };
  walk(blocks);
  return found;
}

/** Chooses an overflow option on a message, as Slack posts it. */
export function chooseOverflow(
  h: Harness,
  user: string,
  option: FoundOption,
  where: { channel?: string; messageTs: string },
): ReturnType<Harness['interaction']> {
  const channel = where.channel ?? HOME_CHANNEL;
  return h.interaction({
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0COP',
    token: 'legacy',
    container: { type: 'message', message_ts: where.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: `trigger.overflow.${Date.now()}.${Math.random()}`,
    team: { id: 'T0001', domain: 'example' },
    response_url: h.fake.responseUrl(),
    channel: { id: channel, name: 'cop' },
    message: { ts: where.messageTs, type: 'message', user: 'UBOT', text: '' },
    actions: [
      {
        action_id: option.action_id,
        block_id: 'b',
        type: 'overflow',
        selected_option: { text: { type: 'plain_text', text: option.text }, value: option.value },
        action_ts: `${Math.floor(Date.now() / 1000)}.000001`,
      },
    ],
  });
}

/** The bot's messages in a channel (as they are now, after updates and deletes). */
export function messagesIn(h: Harness, channel = HOME_CHANNEL): Json[] {
  return [...h.fake.messages.entries()].filter(([key]) => key.startsWith(`${channel}:`)).map(([, m]) => m);
}

/** The current state of the bot's top-level message in the home channel whose text matches. */
export function postMatching(h: Harness, text: RegExp, channel = HOME_CHANNEL): Json {
  const found = messagesIn(h, channel).filter((m) => !m.thread_ts && text.test(textOf(m)));
  const post = found.at(-1);
  if (!post) throw new Error(`no message in ${channel} matches ${text}`);
  return post;
}

export function currentMessage(h: Harness, ts: string, channel = HOME_CHANNEL): Json {
  const message = h.fake.messages.get(`${channel}:${ts}`);
  if (!message) throw new Error(`message ${ts} is gone`);
  return message;
}

/** Replies the bot posted in a thread. */
export function threadReplies(h: Harness, ts: string, channel = HOME_CHANNEL): Json[] {
  return messagesIn(h, channel).filter((m) => m.thread_ts === ts);
}

/** Web API calls made since a mark. */
export function callsSince(h: Harness, mark: number): SlackCall[] {
  return h.fake.calls.slice(mark);
}

/** All the text the calls since `mark` show anyone (messages, views, ephemeral replies). */
export function shownSince(h: Harness, mark: number): string {
  return callsSince(h, mark)
    .map((c) => textOf(c.params) + '\n' + JSON.stringify(c.params))
    .join('\n');
}

/** Proposes a new norm through `/cop propose` and its modal; returns the proposal message. */
export async function proposeNorm(
  h: Harness,
  user: string,
  title: string,
  body = `${title}: the text.`,
  rationale = 'It helps us.',
): Promise<{ ts: string; message: Json }> {
  await h.command(user, `propose ${title}`);
  const view = h.lastOpenedView();
  const result = await h.submitView(user, view, { body, rationale });
  if (result.status !== 200) throw new Error(`propose failed: ${result.status}`);
  if (result.body && /errors/.test(result.body)) throw new Error(`propose refused: ${result.body}`);
  const message = postMatching(h, new RegExp(escapeRegExp(title)));
  return { ts: String(message.ts), message };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every row of every table, as JSON text: for "is this ID stored anywhere" checks. */
export async function dumpDatabase(h: Harness): Promise<Record<string, string>> {
  const tables = await sql<{
    table_name: string;
  }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(h.db);
  const out: Record<string, string> = {};
  for (const { table_name } of tables.rows) {
    const rows = await sql<Json>`select * from ${sql.table(table_name)}`.execute(h.db);
    out[table_name] = JSON.stringify(rows.rows);
  }
  return out;
}

export const tallyText = (message: Json): string => textOf(message);

export const DAY = 24 * 60 * 60 * 1000;

/** `U1` … `Un`. */
export const users = (n: number): string[] => Array.from({ length: n }, (_, i) => `U${i + 1}`);

/** A proposal's status, by its title. */
export async function status(h: Harness, title: string): Promise<string> {
  const row = await h.db.selectFrom('proposals').select('status').where('title', '=', title).executeTakeFirstOrThrow();
  return row.status;
}

/** The stances that count, by voter (a withdrawn vote is not one). */
export async function counted(h: Harness): Promise<Record<string, string>> {
  const rows = await h.db.selectFrom('votes').select(['user_id', 'stance']).execute();
  return Object.fromEntries(rows.filter((r) => r.stance).map((r) => [r.user_id, r.stance!]));
}

/** "N support" and "M object" as the message shows them. */
export function tally(message: Json): { support: number; object: number } {
  const text = textOf(message).replace(/\*/g, '');
  const support = /(\d+)\s+support/i.exec(text);
  const object = /(\d+)\s+object/i.exec(text);
  return { support: Number(support?.[1] ?? NaN), object: Number(object?.[1] ?? NaN) };
}
