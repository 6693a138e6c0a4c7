import type {
  AllMiddlewareArgs,
  App,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackShortcut,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { AppLogger } from '../logger';
import { AfterAckQueue, type Release } from './after-ack';
import { heldAckOf, holdEventAcks } from './held-acks';
import { postOnce } from './post';
import { isDatabaseUnavailable, TRY_AGAIN_SHORTLY, unavailableModal } from './unavailable';

/** How long an event's ack may wait for its handler's write: under Slack's 3 s, with room for the network. */
const HELD_ACK_TIMEOUT_MS = 2_500;

/** An action_id, callback_id or event type: exact, or a pattern. */
export type RouteKey = string | RegExp;

// What a stored handler is called with: Bolt's arguments for the request, whatever its kind.
// (`ack` in method syntax: each kind's ack takes its own response type.)
type Args = AllMiddlewareArgs & { ack?(response?: unknown): Promise<void> };
type Handler = (args: Args) => Promise<void>;
/** The aliases Bolt sets on a request's arguments by its kind (one of them, before any middleware). */
interface Request {
  command: SlackCommandMiddlewareArgs['command'];
  event: { type: string };
  action: SlackActionMiddlewareArgs['payload'];
  shortcut: { callback_id: string };
  view: { callback_id: string };
  options: { action_id: string };
  body: { type?: unknown };
}

/** Told to whoever's command or click is refused because the after-ack queue is full. */
export const BUSY_TEXT =
  'The bot is busy right now and could not take that. Nothing was changed; please try again in a moment.';

export interface CommandOptions {
  /**
   * Commands that open a modal: their work runs at once, outside the after-ack queue, since the
   * `trigger_id` a modal needs expires 3 seconds after the command.
   */
  readonly runsAtOnce?: (command: SlackCommandMiddlewareArgs['command']) => boolean;
  /**
   * Commands whose handler does its work first and answers in `ack(answer)`: Slack then shows the
   * answer with no second request to the response URL. The work still waits for a slot (IN_ACK_QUEUE);
   * if the answer is not ready within ANSWER_IN_ACK_MS, the command is acked empty and a later
   * `ack(answer)` goes to the response URL instead.
   */
  readonly answersInAck?: (command: SlackCommandMiddlewareArgs['command']) => boolean;
}

/** How long a command's answer may hold its ack: well inside Slack's 3 s, with room for the network. */
export const ANSWER_IN_ACK_MS = 1_500;

/**
 * Commands answered in their ack hold a slot of their own queue while they work: each is one or
 * two quick reads, so as many may run as the database pool has connections, and they never wait
 * behind the slower work of the after-ack queue. Bounded the same way: beyond it, "busy".
 */
const IN_ACK_QUEUE = { concurrency: 8, leaseMs: 2_000, maxWaiting: 200 };

/**
 * Clicks run at once (any may open a modal): up to this many at a time, beyond which they are
 * refused as busy. Room for a whole channel voting by button in the same second; a bound all the same.
 */
const AT_ONCE_LIMIT = 200;

/** Handlers by key: exact keys in a Map, patterns tried in the order they were added. */
class RouteTable {
  private readonly exact = new Map<string, Handler[]>();
  private readonly patterns: Array<{ pattern: RegExp; handler: Handler }> = [];

  get size(): number {
    return this.exact.size + this.patterns.length;
  }

  add(key: RouteKey, handler: Handler): void {
    if (typeof key === 'string') this.exact.set(key, [...(this.exact.get(key) ?? []), handler]);
    else this.patterns.push({ pattern: key, handler });
  }

  keys(): RouteKey[] {
    return [...this.exact.keys(), ...this.patterns.map((p) => p.pattern)];
  }

  /** Every handler for the key, as Bolt would run every matching listener. */
  match(key: string): Handler[] {
    const found = this.exact.get(key) ?? [];
    const patterned = this.patterns.filter((p) => p.pattern.test(key)).map((p) => p.handler);
    return patterned.length ? [...found, ...patterned] : found;
  }
}

/**
 * Where the bot registers its Slack listeners, with Bolt's own signatures. Bolt runs every
 * listener's middleware on every request, so its cost per request grows with the number of
 * listeners: with the 31 this bot registers, Bolt acknowledged half as many requests a second as
 * with one. `attach` gives Bolt none: one global middleware finds the handler by kind, then by
 * name or id in a Map.
 *
 * What a command's handler, or a modal submission's, does after its ack waits for a slot of the
 * after-ack queue; when too many wait, a command is answered at once that the bot is busy.
 * Clicks (block actions, shortcuts) and commands that open a modal run at once: a modal's
 * `trigger_id` expires 3 seconds after the click, too soon to wait behind a burst. Events are not
 * queued: the reaction votes of a burst must reach the vote batcher together. Most events are
 * acknowledged before their handlers run; those registered with `eventWithAck` only when their
 * handler acks, once its work is stored.
 */
export class SlackRoutes {
  private readonly commands = new RouteTable();
  private readonly actions = new RouteTable();
  private readonly views = new RouteTable();
  private readonly shortcuts = new RouteTable();
  private readonly events = new RouteTable();
  private readonly eventsWithAck = new Set<string>();
  private readonly options = new RouteTable();
  private readonly runsAtOnce = new Map<string, NonNullable<CommandOptions['runsAtOnce']>>();
  private readonly answersInAck = new Map<string, NonNullable<CommandOptions['answersInAck']>>();
  private atOnce = 0;
  private readonly inAck = new AfterAckQueue(IN_ACK_QUEUE);

  constructor(
    private readonly logger: AppLogger,
    private readonly afterAck: AfterAckQueue,
    /** Whether the database answers now; with it, a stalled command or click is told to try again in time. */
    private readonly databaseAnswers?: () => Promise<boolean>,
  ) {}

  /** A slash command, e.g. `/cop`. */
  command(name: string, handler: Middleware<SlackCommandMiddlewareArgs>, options: CommandOptions = {}) {
    this.commands.add(name, handler as unknown as Handler);
    if (options.runsAtOnce) this.runsAtOnce.set(name, options.runsAtOnce);
    if (options.answersInAck) this.answersInAck.set(name, options.answersInAck);
  }

  action<A extends SlackAction = SlackAction>(actionId: RouteKey, handler: Middleware<SlackActionMiddlewareArgs<A>>) {
    this.actions.add(actionId, handler as unknown as Handler);
  }

  /** A modal's submission (Bolt's `app.view(callbackId, …)`). */
  view(callbackId: RouteKey, handler: Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>) {
    this.views.add(callbackId, handler as unknown as Handler);
  }

  shortcut<S extends SlackShortcut = SlackShortcut>(
    callbackId: RouteKey,
    handler: Middleware<SlackShortcutMiddlewareArgs<S>>,
  ) {
    this.shortcuts.add(callbackId, handler as unknown as Handler);
  }

  event<E extends string>(type: E, handler: Middleware<SlackEventMiddlewareArgs<E>>) {
    this.events.add(type, handler as unknown as Handler);
  }

  /**
   * An event Slack gets its 2xx for only once `ack()` is called (after the handler's write has
   * committed), or once the handler finished without calling it. A handler that throws first, or
   * does not ack within 2.5 s, leaves the delivery refused (HTTP 500, or no Socket Mode ack), so
   * Slack delivers it again (it retries three times): nothing acknowledged is lost.
   */
  eventWithAck<E extends string>(
    type: E,
    handler: (
      args: Omit<SlackEventMiddlewareArgs<E>, 'ack'> & AllMiddlewareArgs & { ack(): Promise<void> },
    ) => Promise<void>,
  ) {
    this.eventsWithAck.add(type);
    this.events.add(type, handler as unknown as Handler);
  }

  /**
   * The options of an external select as someone types (block_suggestion), by action_id. Its
   * answer is the ack itself, so the handler's work all happens before it (nothing after).
   */
  suggestions(actionId: RouteKey, handler: Middleware<SlackOptionsMiddlewareArgs<'block_suggestion'>>) {
    this.options.add(actionId, handler as unknown as Handler);
  }

  /** The commands, action ids, callback ids or event types handled (what the manifest must declare). */
  routed(kind: 'command' | 'action' | 'view' | 'shortcut' | 'event' | 'options'): RouteKey[] {
    const tables = {
      command: this.commands,
      action: this.actions,
      view: this.views,
      shortcut: this.shortcuts,
      event: this.events,
      options: this.options,
    };
    return tables[kind].keys();
  }

  /**
   * Registers the dispatcher on the Bolt app: once, after every feature added its routes, as the
   * last global middleware. It finds the handler for each request by kind and name or id, and
   * Bolt runs no listener chains at all (one per kind still cost a sixth of a command's time).
   */
  attach(app: App): void {
    app.use((args) => this.route(args as Args & Partial<Request>));
    if (this.eventsWithAck.size) holdEventAcks(app, (body) => this.holdsAck(body), HELD_ACK_TIMEOUT_MS, this.logger);
  }

  /** The request's kind, from the aliases Bolt sets for it, as Bolt's own listener filters read them. */
  private async route(args: Args & Partial<Request>): Promise<void> {
    const type = args.body?.type;
    if (args.command) return this.dispatch('command', this.commands, args.command.command, args);
    if (args.event) return this.dispatch('event', this.events, args.event.type, args);
    if (args.action) return this.dispatch('action', this.actions, actionIdOf(args.action), args);
    if (args.shortcut) return this.dispatch('shortcut', this.shortcuts, args.shortcut.callback_id, args);
    // A closed view (view_closed) has no handler: the bot asks for no close notices.
    if (args.view && type === 'view_submission') return this.dispatch('view', this.views, args.view.callback_id, args);
    if (args.options && type === 'block_suggestion') {
      const actionId = args.options.action_id;
      const handlers = this.options.match(actionId);
      if (handlers.length === 0) return args.ack?.({ options: [] });
      return runAll('options', actionId, handlers, args);
    }
  }

  private holdsAck(body: unknown): boolean {
    const event = (body as { type?: unknown; event?: { type?: unknown } | null } | null | undefined) ?? {};
    return event.type === 'event_callback' && this.eventsWithAck.has(String(event.event?.type));
  }

  private async dispatch(kind: string, table: RouteTable, key: string, args: Args): Promise<void> {
    const handlers = table.match(key);
    if (handlers.length === 0) {
      // An interaction nobody handles (a link button, say) is still acknowledged, so Slack
      // shows the user no error; events were acknowledged by Bolt already.
      this.logger.debug(`no listener for ${kind} ${key}`);
      await args.ack?.();
      return;
    }
    const held = kind === 'event' ? heldAckOf((args as { body?: unknown }).body) : undefined;
    if (held) {
      // Each handler acks its own part; the delivery is acked when all did.
      const withAcks = handlers.map((handler): Handler => {
        const ack = held.expect();
        return async (handlerArgs) => {
          try {
            await handler({ ...handlerArgs, ack });
          } catch (error) {
            held.refuse(`a listener for event ${key} failed`);
            throw error;
          }
          await ack();
        };
      });
      return runAll(kind, key, withAcks, args);
    }
    if (kind === 'event' || !args.ack) return runAll(kind, key, handlers, args);
    if (kind === 'action' || kind === 'shortcut' || this.commandRunsAtOnce(key, args)) {
      return this.runAtOnce(kind, key, handlers, args);
    }
    if (kind === 'command' && this.commandAnswersInAck(key, args)) {
      return this.inAck.full ? refuse(args) : this.runAnsweringInAck(key, handlers, args);
    }
    if (kind === 'command' && this.afterAck.full) return refuse(args);
    return this.runWatched(kind, key, handlers, args, true);
  }

  private commandRunsAtOnce(key: string, args: Args): boolean {
    const test = this.runsAtOnce.get(key);
    return test !== undefined && test((args as unknown as SlackCommandMiddlewareArgs).command);
  }

  private commandAnswersInAck(key: string, args: Args): boolean {
    const test = this.answersInAck.get(key);
    return test !== undefined && test((args as unknown as SlackCommandMiddlewareArgs).command);
  }

  /**
   * A command answered in its ack: the slot is taken before the work (so a burst's work stays a
   * few jobs at a time), the ack carries the answer if it is ready within ANSWER_IN_ACK_MS, and
   * past that the command is acked empty and the answer goes to the response URL.
   */
  private async runAnsweringInAck(key: string, handlers: Handler[], args: Args): Promise<void> {
    const ack = args.ack!;
    const { respond } = args as unknown as SlackCommandMiddlewareArgs;
    let acked = false;
    const ackOnce = async (response?: unknown): Promise<boolean> => {
      if (acked) return false;
      acked = true;
      await ack(response);
      return true;
    };
    const budget = setTimeout(() => void ackOnce().catch(() => undefined), ANSWER_IN_ACK_MS);
    budget.unref();
    // The notice acks through ackOnce too, so whichever comes first owns the ack.
    const notice = new UnavailableNotice(
      'command',
      key,
      { ...args, ack: async () => void (await ackOnce()) },
      this.logger,
    );
    const stopWatching = this.databaseAnswers ? notice.watch(this.databaseAnswers) : undefined;
    const answering: Args = {
      ...args,
      ack: async (response?: unknown) => {
        if (await ackOnce(response)) return;
        if (response) await respond(response as Parameters<typeof respond>[0]);
      },
    };
    const release = await this.inAck.acquire();
    try {
      await runAll('command', key, handlers, answering);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      await notice.tell();
    } finally {
      stopWatching?.();
      clearTimeout(budget);
      release();
      await ackOnce();
    }
  }

  private async runAtOnce(kind: string, key: string, handlers: Handler[], args: Args): Promise<void> {
    if (this.atOnce >= AT_ONCE_LIMIT) return refuse(args);
    this.atOnce += 1;
    try {
      await this.runWatched(kind, key, handlers, args, false);
    } finally {
      this.atOnce -= 1;
    }
  }

  /**
   * Runs an interaction's handlers with the database watched, so an outage still gets the user
   * "try again shortly" within 3 s; `queued` work waits for an after-ack slot once it has acked.
   */
  private async runWatched(kind: string, key: string, handlers: Handler[], args: Args, queued: boolean) {
    const ack = args.ack!;
    let slot: Promise<Release> | undefined;
    const notice = new UnavailableNotice(kind, key, args, this.logger);
    const watched: Args = {
      ...args,
      ack: async (response?: unknown) => {
        if (!notice.claimAck()) return;
        await ack(response);
        if (!queued) return;
        slot ??= this.afterAck.acquire();
        await slot;
      },
    };
    const stopWatching = this.databaseAnswers ? notice.watch(this.databaseAnswers) : undefined;
    try {
      await runAll(kind, key, handlers, watched);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      await notice.tell();
    } finally {
      stopWatching?.();
      void slot?.then((release) => release());
    }
  }
}

/** Acks with the busy answer: in the ack itself for a command, else at the response URL if there is one. */
async function refuse(args: Args): Promise<void> {
  const respond = (args as Partial<SlackActionMiddlewareArgs>).respond;
  if ('command' in args) {
    await args.ack?.({ response_type: 'ephemeral', text: BUSY_TEXT });
    return;
  }
  await args.ack?.();
  await respond?.({ response_type: 'ephemeral', replace_original: false, text: BUSY_TEXT }).catch(() => undefined);
}

// A command or click still running this long gets the database checked; one that does not
// answer within the probe's time means the user is told to try again, inside Slack's 3 s.
const STALL_MS = 1_500;
const PROBE_MS = 1_200;

/**
 * One request's "try again shortly", told at most once: when its handler fails because the
 * database is away, or when the handler stalls and the database does not answer a probe.
 */
class UnavailableNotice {
  private acked = false;
  private told = false;

  constructor(
    private readonly kind: string,
    private readonly key: string,
    private readonly args: Args,
    private readonly logger: AppLogger,
  ) {}

  /** Whether the handler's own ack may go out: not after the notice acknowledged the request. */
  claimAck(): boolean {
    if (this.acked) return false;
    this.acked = true;
    return true;
  }

  async tell(): Promise<void> {
    if (this.told) return;
    this.told = true;
    this.logger.warn(`${this.kind} ${this.key}: the database is unavailable; the user is told to try again shortly`);
    const ack = this.claimAck() ? this.args.ack : undefined;
    await tellUnavailable(this.kind, this.args, ack).catch((e: unknown) =>
      this.logger.error(`telling the user of ${this.kind} ${this.key} to try again failed`, e),
    );
  }

  /** Probes the database if the handler is still running after STALL_MS; returns the cancel. */
  watch(databaseAnswers: () => Promise<boolean>): () => void {
    // A form is guarded by its own submission deadline (see submission-deadline.ts).
    if (this.kind === 'view') return () => undefined;
    let done = false;
    const timer = setTimeout(() => {
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PROBE_MS).unref());
      void Promise.race([databaseAnswers().catch(() => false), timeout]).then((answers) => {
        if (!answers && !done) void this.tell();
      });
    }, STALL_MS);
    timer.unref();
    return () => {
      done = true;
      clearTimeout(timer);
    };
  }
}

/**
 * The database is away: the request is acknowledged if it was not yet (a form gets a notice
 * pushed over it, so the input is kept), and the user is told to try again shortly, where
 * Slack lets us answer (the response_url), else by DM.
 */
async function tellUnavailable(kind: string, args: Args, ack: Args['ack']): Promise<void> {
  if (ack && kind === 'view') return ack({ response_action: 'push', view: unavailableModal() });
  if (ack) await ack();
  const { respond, body, client } = args as Args & {
    respond?: (message: { response_type: 'ephemeral'; replace_original: false; text: string }) => Promise<unknown>;
    body?: { user?: { id?: string }; user_id?: string };
  };
  if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: TRY_AGAIN_SHORTLY });
    return;
  }
  const userId = body?.user?.id ?? body?.user_id;
  if (userId) await postOnce(client, { channel: userId, text: TRY_AGAIN_SHORTLY });
}

async function runAll(kind: string, key: string, handlers: Handler[], args: Args): Promise<void> {
  if (handlers.length === 1) return handlers[0]!(args);
  // As Bolt does with several matching listeners: all run, and every failure is reported.
  const results = await Promise.allSettled(handlers.map((handler) => handler(args)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} listeners for ${kind} ${key} failed`);
}

/** A block action's action_id (other action kinds, which the bot does not use, by callback_id). */
function actionIdOf(payload: SlackActionMiddlewareArgs['payload']): string {
  if ('action_id' in payload) return payload.action_id;
  return 'callback_id' in payload ? payload.callback_id : '';
}
