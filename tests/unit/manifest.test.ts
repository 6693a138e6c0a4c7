import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { createApp, type CopBot } from '../../src/app';
import { loadConfig } from '../../src/config';
import { FakeSlack } from '../support/fake-slack';
import { createTestDatabase, type TestDatabase } from '../support/database';

// In CI the repository is cloned with `shared/` beside it, as in the workspace.
const REPO = resolve(__dirname, '../..');
const SCHEMA_DIR = resolve(REPO, '../shared/slack-reference/manifest-schema');
const REMOTE_SCHEMAS = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';

interface Manifest {
  _metadata: { major_version: number };
  display_information: { name: string; description: string };
  features: {
    app_home: Record<string, boolean>;
    bot_user: { display_name: string; always_online: boolean };
    slash_commands: Array<{ command: string; description: string; usage_hint?: string; should_escape?: boolean }>;
    shortcuts?: Array<{ name: string; type: string; callback_id: string; description: string }>;
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string };
    socket_mode_enabled: boolean;
  };
}

const manifestText = readFileSync(join(REPO, 'manifest.yml'), 'utf8');
const manifest = parse(manifestText) as Manifest;

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;
}

/** Slack's root schema, with its remote $refs answered by the local copies: no network. */
function manifestValidator() {
  // strict off: Slack's schema uses a non-standard `regex` keyword and formats we don't check.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const version of ['1.0.0', '2.0.0']) {
    ajv.addSchema(readJson(`manifest.schema.${version}.json`), `${REMOTE_SCHEMAS}manifest.schema.${version}.json`);
  }
  return ajv.compile(readJson('manifest.schema.json'));
}

describe('manifest.yml', () => {
  const validate = manifestValidator();

  it("validates against Slack's manifest JSON schema (v1)", () => {
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(manifest._metadata.major_version).toBe(1);
  });

  it('the offline validator can fail: Slack’s own invalid example and a broken copy of ours are rejected', () => {
    expect(validate(readJson('examples/v1.manifest.invalid.json'))).toBe(false);
    expect(validate(readJson('examples/v1.manifest.valid.json'))).toBe(true);
    const broken = structuredClone(manifest) as unknown as Record<string, Record<string, unknown>>;
    broken.features!.slash_commands = [{ command: 'cop', description: 'no leading slash' }];
    expect(validate(broken)).toBe(false);
  });

  it('has the /cop command, escaped so mentions arrive as ids, with a usage hint', () => {
    expect(manifest.features.slash_commands).toHaveLength(1);
    const [cop] = manifest.features.slash_commands;
    expect(cop).toMatchObject({ command: '/cop', should_escape: true });
    expect(cop!.usage_hint).toContain('help');
    expect(cop!.description.length).toBeGreaterThan(0);
  });

  it('has an always-online bot, the Home tab and a read-only Messages tab', () => {
    expect(manifest.display_information.name).toBe('CoP bot');
    expect(manifest.features.bot_user.always_online).toBe(true);
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: true,
    });
  });

  it('has the message shortcuts the struggles feature listens for: helpful answers, and hiding (coordinators)', () => {
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ name: 'Mark as helpful', type: 'message', callback_id: 'struggles:helpful' }),
      expect.objectContaining({ name: 'Hide (coordinators)', type: 'message', callback_id: 'struggles:hide' }),
    ]);
  });

  it('runs in Socket Mode by default, with interactivity on and the HTTP request URLs documented', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // Socket Mode ignores request URLs, so they stay as comments to uncomment for HTTP mode.
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    const documented = manifestText.match(/^\s*#\s*(url|request_url): https:\/\/your-host\/slack\/events$/gm) ?? [];
    expect(documented).toHaveLength(3);
  });

  it('asks for no user scopes', () => {
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });
});

// ---- The manifest matches the code ---------------------------------------------------------

/**
 * Why each bot scope is needed. A scope not here is one nobody justified: remove it or add
 * its reason. A Web API method the code calls that is not in METHOD_SCOPES fails the test below.
 */
const SCOPE_REASONS: Record<string, string> = {
  commands: 'the /cop slash command',
  'chat:write': 'chat.postMessage / chat.update / chat.postEphemeral',
  'channels:read': 'conversations.members / conversations.info on a public home channel',
  'groups:read': 'conversations.members / conversations.info on a private home channel',
  'channels:join': 'conversations.join on /cop setup',
  'users:read': 'users.info / users.list: bots and timezones',
  'im:write': 'conversations.open for DMs',
  'reactions:read': 'reaction_added / reaction_removed events (votes)',
  'channels:history': 'message.channels events (struggle thread replies)',
  'groups:history': 'message.groups events (struggle thread replies, private channel)',
  'files:write': 'files.uploadV2: the health picture, and /cop charter as a Markdown file',
  'im:history': 'conversations.history in a DM: whether a DM went out before posting it again',
  'pins:read': 'pins.list: is the charter still pinned',
  'pins:write': 'pins.add: pin the charter',
};

/** The Web API methods the bot may call and the scopes each needs ([] = none beyond the token). */
const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'apps.connections.open': [], // app-level token, not a bot scope
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.members': ['channels:read', 'groups:read'],
  'conversations.info': ['channels:read', 'groups:read'],
  'conversations.join': ['channels:join'],
  'conversations.open': ['im:write'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'views.open': [],
  'views.push': [],
  'views.update': [],
  'views.publish': [],
  'pins.list': ['pins:read'],
  'pins.add': ['pins:write'],
  'files.uploadV2': ['files:write'],
};

/** Events the bot subscribes to, with the scope each needs. */
const EVENT_SCOPES: Record<string, string> = {
  app_home_opened: '',
  member_joined_channel: 'channels:read',
  member_left_channel: 'channels:read',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  reaction_added: 'reactions:read',
  reaction_removed: 'reactions:read',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const source = sourceFiles(join(REPO, 'src'))
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');

describe('manifest.yml matches what the code uses', () => {
  // The app as built (not started): what it routes is what the manifest must ask Slack to send.
  // (Bolt checks the token with auth.test as the app is built, hence the fake Web API.)
  let bot: CopBot;
  let database: TestDatabase;
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await new FakeSlack().start();
    database = await createTestDatabase('postgres', { migrate: false });
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-manifest', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: fake.url });
    bot = createApp({ config, database });
    await fake.waitFor('auth.test');
  });
  afterAll(async () => {
    await database.destroy();
    await fake.stop();
  });

  it('every bot scope is one the code needs, and every scope the code needs is asked for', () => {
    const asked = [...manifest.oauth_config.scopes.bot].sort();
    expect(asked).toEqual(Object.keys(SCOPE_REASONS).sort());
    const justified = new Set([
      'commands',
      ...Object.values(METHOD_SCOPES).flat(),
      ...Object.values(EVENT_SCOPES).filter(Boolean),
    ]);
    for (const scope of asked) expect({ scope, justified: justified.has(scope) }).toEqual({ scope, justified: true });
  });

  it('every Web API method the code calls is covered by the scopes asked for', () => {
    const calls = new Set(
      [
        ...source.matchAll(/\bclient\.(auth|apps|chat|conversations|users|views|reactions|pins|files)\.(\w+)\s*\(/g),
      ].map((m) => `${m[1]}.${m[2]}`),
    );
    expect(calls.size).toBeGreaterThan(0);
    for (const method of calls) {
      const needs = METHOD_SCOPES[method];
      expect({ method, known: needs !== undefined }).toEqual({ method, known: true });
      const missing = (needs ?? []).filter((scope) => !manifest.oauth_config.scopes.bot.includes(scope));
      expect({ method, missing }).toEqual({ method, missing: [] });
    }
  });

  it('subscribes to exactly the events the features use, each covered by a scope', () => {
    const events = [...manifest.settings.event_subscriptions.bot_events].sort();
    expect(events).toEqual(Object.keys(EVENT_SCOPES).sort());
    for (const event of events) {
      const scope = EVENT_SCOPES[event]!;
      if (scope) expect(manifest.oauth_config.scopes.bot).toContain(scope);
    }
  });

  it('every event the app routes to a feature is subscribed, and every subscription is routed', () => {
    const routed = new Set(bot.routes.routed('event').map(String));
    // Routing 'message' takes message.channels / message.groups.
    const subscribed = new Set(manifest.settings.event_subscriptions.bot_events.map((e) => e.split('.')[0]!));
    expect(routed.size).toBeGreaterThan(0);
    expect([...routed].sort()).toEqual([...subscribed].sort());
  });

  it('the shortcuts the app routes are exactly those declared (callback ids are prefixed by feature)', () => {
    const declared = (manifest.features.shortcuts ?? []).map((s) => s.callback_id);
    for (const id of declared) expect(id).toMatch(/^[a-z]+:[a-z-]+$/);
    expect(bot.routes.routed('shortcut').map(String).sort()).toEqual([...declared].sort());
  });

  it('an options load URL is set exactly when the app serves external selects (block_suggestion)', () => {
    expect(bot.routes.routed('options').map(String)).toEqual(['zone']);
    expect(manifest.settings.interactivity.message_menu_options_url).toBe('https://your-host/slack/events');
  });

  it('the only slash command the app registers is the one in the manifest', () => {
    expect(bot.routes.routed('command').map(String)).toEqual(manifest.features.slash_commands.map((c) => c.command));
  });
});
