import { createServer } from 'node:net';
import { createApp, type CopBot } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig, type LogLevelName } from '../../src/config';
import { AppLogger } from '../../src/logger';
import { BUSY_TEXT } from '../../src/slack/routes';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database';
import { BOT_USER_ID, FakeSlack, TEAM_ID, type SlackCall } from './fake-slack';
import { form, postSigned, slashCommand, type HttpResult } from './slack-requests';
import { waitUntil } from './wait';

export const SIGNING_SECRET = 'test-signing-secret';
export const HOME_CHANNEL = 'C0COP';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface HarnessOptions {
  database?: DatabaseKind;
  /** An existing database to share (e.g. two bot instances on one Postgres). */
  sharedDatabase?: TestDatabase;
  start?: Date | string;
  /** Humans in the home channel (the bot is added automatically). */
  members?: string[];
  /** Human users who exist in the workspace but are not in the home channel. */
  others?: string[];
  processBeforeResponse?: boolean;
  fake?: FakeSlack;
  /** LOG_LEVEL for the bot (default info). */
  logLevel?: LogLevelName;
  /** How many jobs may wait after their acks before commands are answered "busy" (the app's default otherwise). */
  afterAckWaiting?: number;
}

/**
 * The real Bolt app in HTTP mode, a fake Slack Web API on loopback, a database of its own and
 * a clock the test moves. Requests go in signed, as Slack sends them.
 */
export class Harness {
  private counter = 0;

  private constructor(
    /** Every line the bot logged, at the default level. */
    readonly logs: string[],
    readonly fake: FakeSlack,
    readonly database: TestDatabase,
    readonly bot: CopBot,
    readonly clock: ManualClock,
    readonly url: string,
    private readonly ownsDatabase: boolean,
    private readonly ownsFake: boolean,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const ownsFake = !options.fake;
    const fake = options.fake ?? (await new FakeSlack().start());
    const members = options.members ?? ['U1', 'U2', 'U3'];
    for (const id of [...members, ...(options.others ?? [])]) fake.addUser({ id, tz: 'Europe/Amsterdam' });
    fake.addUser({ id: BOT_USER_ID, is_bot: true });
    if (!fake.channels.has(HOME_CHANNEL)) fake.setChannelMembers(HOME_CHANNEL, [...members, BOT_USER_ID]);

    const database = options.sharedDatabase ?? (await createTestDatabase(options.database ?? 'postgres'));
    const clock = new ManualClock(options.start ?? '2026-03-02T09:00:00Z');
    const port = await freePort();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      PORT: String(port),
      LOG_LEVEL: options.logLevel ?? 'info',
    });
    const logs: string[] = [];
    const logger = new AppLogger(options.logLevel ?? 'info', (line) => logs.push(line));
    const bot = createApp({
      config,
      database,
      clock,
      logger,
      processBeforeResponse: options.processBeforeResponse ?? true,
      cron: false,
      afterAckWaiting: options.afterAckWaiting,
      clientOptions: { retryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 50 } },
    });
    await bot.start();
    return new Harness(logs, fake, database, bot, clock, `http://127.0.0.1:${port}`, !options.sharedDatabase, ownsFake);
  }

  get db() {
    return this.database.db;
  }

  /** Waits until the member cache holds `count` members (the refresh after setup runs after its ack). */
  async waitForMembers(count: number): Promise<void> {
    await waitUntil(`${count} members`, async () => {
      const row = await this.db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      return Number(row?.n) === count;
    });
  }

  /**
   * Waits until no listener is running. Each request's listener starts before Slack gets its
   * ack, so once the requests a test sent have been answered, this is the moment after which
   * "nothing else happened" can be judged.
   */
  async settled(): Promise<void> {
    await waitUntil('every listener to finish', () => this.bot.busy() === 0);
  }

  async stop(): Promise<void> {
    await this.bot.stop();
    if (this.ownsDatabase) await this.database.destroy();
    if (this.ownsFake) await this.fake.stop();
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${Date.now().toString(36)}${this.counter}`;
  }

  /** `/cop <text>` typed by `user` in `channel` (the home channel by default). */
  async command(user: string, text: string, channel = HOME_CHANNEL): Promise<HttpResult> {
    const body = form(
      slashCommand({
        teamId: TEAM_ID,
        channel,
        user,
        text,
        responseUrl: this.fake.responseUrl(),
        triggerId: this.nextId('trigger.'),
      }),
    );
    const result = await this.post(body, 'application/x-www-form-urlencoded');
    const answer = ackMessage(result);
    if (answer) this.fake.recordAckAnswer(answer);
    return result;
  }

  /** Slack's interactivity post: `payload=<json>`. */
  interaction(payload: Record<string, unknown>): Promise<HttpResult> {
    return this.post(form({ payload: JSON.stringify(payload) }), 'application/x-www-form-urlencoded');
  }

  /** A button click on a message the bot posted (or any container given). */
  clickButton(
    user: string,
    actionId: string,
    value: string | undefined,
    where: { channel?: string; messageTs?: string; view?: Record<string, unknown> } = {},
  ): Promise<HttpResult> {
    const channel = where.channel ?? HOME_CHANNEL;
    const container = where.view
      ? { type: 'view', view_id: where.view.id ?? 'V1' }
      : { type: 'message', message_ts: where.messageTs ?? '0', channel_id: channel, is_ephemeral: false };
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0COP',
      token: 'legacy',
      container,
      trigger_id: this.nextId('trigger.'),
      team: { id: TEAM_ID, domain: 'example' },
      response_url: this.fake.responseUrl(),
      actions: [
        {
          action_id: actionId,
          block_id: 'b',
          text: { type: 'plain_text', text: 'Button', emoji: true },
          ...(value !== undefined ? { value } : {}),
          type: 'button',
          action_ts: `${Math.floor(this.clock.now().getTime() / 1000)}.${String(++this.counter).padStart(6, '0')}`,
        },
      ],
    };
    if (where.view) {
      payload.view = { id: 'V1', team_id: TEAM_ID, type: 'home', ...where.view };
    } else {
      payload.channel = { id: channel, name: 'cop' };
      payload.message = { ts: where.messageTs ?? '0', type: 'message', user: BOT_USER_ID, text: '' };
    }
    return this.interaction(payload);
  }

  /**
   * Submits a modal the bot opened, filling its inputs by action_id. The value's form follows
   * the element: text inputs take a string, selects and radios an option value, checkboxes a list.
   */
  submitView(
    user: string,
    view: Record<string, unknown>,
    values: Record<string, string | string[] | null>,
  ): Promise<HttpResult> {
    const state = this.viewState(view, values);
    return this.interaction({
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'example' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0COP',
      token: 'legacy',
      trigger_id: this.nextId('trigger.'),
      view: {
        id: 'V123',
        team_id: TEAM_ID,
        type: 'modal',
        private_metadata: '',
        ...view,
        state: { values: state },
        hash: '1583638467.cd05659d',
        previous_view_id: null,
        root_view_id: 'V123',
        app_id: 'A0COP',
        bot_id: 'B0BOT',
      },
      response_urls: [],
    });
  }

  /** A modal's state as Slack would send it, its inputs filled by action_id (see submitView). */
  private viewState(view: Record<string, unknown>, values: Record<string, string | string[] | null>) {
    const state: Record<string, Record<string, unknown>> = {};
    for (const block of (view.blocks ?? []) as Array<Record<string, unknown>>) {
      if (block.type !== 'input') continue;
      const element = block.element as Record<string, unknown>;
      const actionId = String(element.action_id);
      state[String(block.block_id)] = {
        [actionId]: elementState(element, actionId in values ? values[actionId] : undefined),
      };
    }
    return state;
  }

  /**
   * A choice in a modal's select or radio buttons whose block dispatches actions: the
   * block_actions Slack sends, with the view's id, hash and state (`values` as in submitView).
   */
  chooseInView(
    user: string,
    view: Record<string, unknown>,
    actionId: string,
    value: string,
    values: Record<string, string | string[] | null> = {},
  ): Promise<HttpResult> {
    const state = this.viewState(view, { ...values, [actionId]: value });
    const block = ((view.blocks ?? []) as Array<Record<string, unknown>>).find(
      (b) => (b.element as Record<string, unknown> | undefined)?.action_id === actionId,
    );
    const element = (block?.element ?? {}) as Record<string, unknown>;
    return this.interaction({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0COP',
      token: 'legacy',
      container: { type: 'view', view_id: 'V123' },
      trigger_id: this.nextId('trigger.'),
      team: { id: TEAM_ID, domain: 'example' },
      view: {
        id: 'V123',
        team_id: TEAM_ID,
        type: 'modal',
        private_metadata: '',
        ...view,
        state: { values: state },
        hash: '1583638467.cd05659d',
        root_view_id: 'V123',
        app_id: 'A0COP',
        bot_id: 'B0BOT',
      },
      actions: [
        {
          action_id: actionId,
          block_id: String(block?.block_id ?? actionId),
          type: String(element.type ?? 'static_select'),
          ...(state[String(block?.block_id)]?.[actionId] as Record<string, unknown>),
          action_ts: `${Math.floor(this.clock.now().getTime() / 1000)}.${String(++this.counter).padStart(6, '0')}`,
        },
      ],
    });
  }

  /** An external select's type-ahead: the block_suggestion Slack sends as a user types `query`. */
  suggest(user: string, view: Record<string, unknown>, actionId: string, query: string): Promise<HttpResult> {
    const block = ((view.blocks ?? []) as Array<Record<string, unknown>>).find(
      (b) => (b.element as Record<string, unknown> | undefined)?.action_id === actionId,
    );
    return this.interaction({
      type: 'block_suggestion',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      container: { type: 'view', view_id: 'V123' },
      api_app_id: 'A0COP',
      token: 'legacy',
      action_id: actionId,
      block_id: String(block?.block_id ?? actionId),
      value: query,
      team: { id: TEAM_ID, domain: 'example' },
      view: {
        id: 'V123',
        team_id: TEAM_ID,
        type: 'modal',
        private_metadata: '',
        ...view,
        state: { values: {} },
        hash: '1583638467.cd05659d',
      },
    });
  }

  /** An Events API delivery; pass the same eventId twice to play a Slack retry. */
  event(event: Record<string, unknown>, options: { eventId?: string; retryNum?: number } = {}): Promise<HttpResult> {
    const body = JSON.stringify({
      token: 'legacy',
      team_id: TEAM_ID,
      api_app_id: 'A0COP',
      event,
      type: 'event_callback',
      event_id: options.eventId ?? this.nextId('Ev'),
      event_time: Math.floor(this.clock.now().getTime() / 1000),
      authed_users: [BOT_USER_ID],
    });
    const headers: Record<string, string> = options.retryNum
      ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
      : {};
    return this.post(body, 'application/json', headers);
  }

  /** A reaction by `user` on a message in the home channel. */
  react(
    user: string,
    reaction: string,
    messageTs: string,
    options: { removed?: boolean; eventId?: string; channel?: string } = {},
  ): Promise<HttpResult> {
    const eventTs = `${Math.floor(this.clock.now().getTime() / 1000)}.${String(++this.counter).padStart(6, '0')}`;
    return this.event(
      {
        type: options.removed ? 'reaction_removed' : 'reaction_added',
        user,
        item: { type: 'message', channel: options.channel ?? HOME_CHANNEL, ts: messageTs },
        reaction,
        item_user: BOT_USER_ID,
        event_ts: eventTs,
      },
      { eventId: options.eventId },
    );
  }

  /** Sets the channel up as a CoP with `coordinator` running `/cop setup`. */
  async setupCop(coordinator = 'U1'): Promise<void> {
    const result = await this.command(coordinator, 'setup');
    if (result.status !== 200) throw new Error(`setup failed: ${result.status} ${result.body}`);
  }

  /** The last view the bot opened with views.open (optionally for a given callback_id). */
  lastOpenedView(callbackId?: string): Record<string, unknown> {
    const call = [...this.fake.callsOf('views.open'), ...this.fake.callsOf('views.push')]
      .filter((c) => !callbackId || (c.params.view as Record<string, unknown>).callback_id === callbackId)
      .sort((a, b) => a.at - b.at)
      .at(-1);
    if (!call) throw new Error(`no view was opened${callbackId ? ` with callback_id ${callbackId}` : ''}`);
    return call.params.view as Record<string, unknown>;
  }

  /** Ephemeral replies sent through a response_url, newest last. */
  responses(): SlackCall[] {
    return this.fake.callsOf('response_url');
  }

  lastResponseText(): string {
    const last = this.responses().at(-1);
    if (!last) throw new Error('no response_url reply was sent');
    return textOf(last.params);
  }

  private post(body: string, contentType: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    return postSigned(`${this.url}/slack/events`, SIGNING_SECRET, body, contentType, { headers });
  }
}

function elementState(
  element: Record<string, unknown>,
  given: string | string[] | null | undefined,
): Record<string, unknown> {
  const type = String(element.type);
  const options = (element.options ?? []) as Array<{ value: string; text: unknown }>;
  const option = (value: string) =>
    options.find((o) => o.value === value) ?? { value, text: { type: 'plain_text', text: value } };
  switch (type) {
    case 'plain_text_input':
    case 'url_text_input':
    case 'number_input':
    case 'email_text_input':
      return { type, value: given === undefined ? (element.initial_value ?? null) : given };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      if (given === undefined && element.initial_option) return { type, selected_option: element.initial_option };
      return { type, selected_option: given ? option(String(given)) : null };
    case 'checkboxes':
    case 'multi_static_select': {
      const list =
        given === undefined
          ? ((element.initial_options ?? []) as Array<{ value: string }>).map((o) => o.value)
          : Array.isArray(given)
            ? given
            : given
              ? [given]
              : [];
      return { type, selected_options: list.map(option) };
    }
    case 'timepicker':
      return { type, selected_time: given === undefined ? (element.initial_time ?? null) : given };
    case 'datepicker':
      return { type, selected_date: given === undefined ? (element.initial_date ?? null) : given };
    case 'multi_users_select': {
      const list =
        given === undefined
          ? ((element.initial_users ?? []) as string[])
          : Array.isArray(given)
            ? given
            : given
              ? [given]
              : [];
      return { type, selected_users: list };
    }
    case 'users_select':
      return { type, selected_user: given === undefined ? (element.initial_user ?? null) : given };
    case 'conversations_select':
    case 'channels_select':
      return { type, selected_conversation: given ?? null };
    default:
      return { type, value: given ?? null };
  }
}

/** All the text a message shows: its `text` and every text inside its blocks. */
export function textOf(message: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') parts.push(value);
        else walk(value);
      }
    }
  };
  if (typeof message.text === 'string') parts.push(message.text);
  walk(message.blocks);
  walk((message as { view?: unknown }).view);
  return parts.join('\n');
}

/** The message a command's ack carried (an answer in the ack), if any; not a busy refusal. */
function ackMessage(result: HttpResult): Record<string, unknown> | undefined {
  if (result.status !== 200 || !result.body.startsWith('{')) return undefined;
  const message = JSON.parse(result.body) as Record<string, unknown>;
  if (message.text === BUSY_TEXT) return undefined;
  return 'text' in message || 'blocks' in message ? message : undefined;
}
