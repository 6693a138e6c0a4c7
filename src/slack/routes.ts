import type {
  AllMiddlewareArgs,
  App,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcut,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { AppLogger } from '../logger';
import type { AfterAckQueue, Release } from './after-ack';

/** An action_id, callback_id or event type: exact, or a pattern. */
export type RouteKey = string | RegExp;

// What a stored handler is called with: Bolt's arguments for the request, whatever its kind.
// (`ack` in method syntax: each kind's ack takes its own response type.)
type Args = AllMiddlewareArgs & { ack?(response?: unknown): Promise<void> };
type Handler = (args: Args) => Promise<void>;

/** Told to whoever's command or click is refused because the after-ack queue is full. */
export const BUSY_TEXT =
  'The bot is busy right now and could not take that. Nothing was changed; please try again in a moment.';

export interface CommandOptions {
  /**
   * Commands that open a modal: their work runs at once, outside the after-ack queue, since the
   * `trigger_id` a modal needs expires 3 seconds after the command.
   */
  readonly runsAtOnce?: (command: SlackCommandMiddlewareArgs['command']) => boolean;
}

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
 * with one. `attach` gives Bolt one listener per kind (commands, actions, view submissions,
 * shortcuts, events), which finds the handler by name or id in a Map.
 *
 * What a command's handler, or a modal submission's, does after its ack waits for a slot of the
 * after-ack queue; when too many wait, a command is answered at once that the bot is busy.
 * Clicks (block actions, shortcuts) and commands that open a modal run at once: a modal's
 * `trigger_id` expires 3 seconds after the click, too soon to wait behind a burst. Events are
 * acknowledged before their handlers run and are not queued: the reaction votes of a burst must
 * reach the vote batcher together.
 */
export class SlackRoutes {
  private readonly commands = new RouteTable();
  private readonly actions = new RouteTable();
  private readonly views = new RouteTable();
  private readonly shortcuts = new RouteTable();
  private readonly events = new RouteTable();
  private readonly runsAtOnce = new Map<string, NonNullable<CommandOptions['runsAtOnce']>>();
  private atOnce = 0;

  constructor(
    private readonly logger: AppLogger,
    private readonly afterAck: AfterAckQueue,
  ) {}

  /** A slash command, e.g. `/cop`. */
  command(name: string, handler: Middleware<SlackCommandMiddlewareArgs>, options: CommandOptions = {}) {
    this.commands.add(name, handler as unknown as Handler);
    if (options.runsAtOnce) this.runsAtOnce.set(name, options.runsAtOnce);
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

  /** The commands, action ids, callback ids or event types handled (what the manifest must declare). */
  routed(kind: 'command' | 'action' | 'view' | 'shortcut' | 'event'): RouteKey[] {
    const tables = {
      command: this.commands,
      action: this.actions,
      view: this.views,
      shortcut: this.shortcuts,
      event: this.events,
    };
    return tables[kind].keys();
  }

  /** Registers the dispatching listeners on the Bolt app; once, after every feature added its routes. */
  attach(app: App): void {
    if (this.commands.size) {
      app.command(/.*/, (args) => this.dispatch('command', this.commands, args.command.command, args));
    }
    if (this.actions.size) {
      app.action({}, (args) => this.dispatch('action', this.actions, actionIdOf(args.payload), args));
    }
    if (this.views.size) {
      app.view({ type: 'view_submission' }, (args) => this.dispatch('view', this.views, args.view.callback_id, args));
    }
    if (this.shortcuts.size) {
      app.shortcut({}, (args) => this.dispatch('shortcut', this.shortcuts, args.shortcut.callback_id, args));
    }
    if (this.events.size) {
      app.event(/.*/, (args) => this.dispatch('event', this.events, args.event.type, args));
    }
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
    if (kind === 'event' || !args.ack) return runAll(kind, key, handlers, args);
    if (kind === 'action' || kind === 'shortcut' || this.commandRunsAtOnce(key, args)) {
      return this.runAtOnce(kind, key, handlers, args);
    }
    if (kind === 'command' && this.afterAck.full) return refuse(args);
    const ack = args.ack;
    let slot: Promise<Release> | undefined;
    const queued: Args = {
      ...args,
      ack: async (response?: unknown) => {
        await ack(response);
        slot ??= this.afterAck.acquire();
        await slot;
      },
    };
    try {
      await runAll(kind, key, handlers, queued);
    } finally {
      void slot?.then((release) => release());
    }
  }

  private commandRunsAtOnce(key: string, args: Args): boolean {
    const test = this.runsAtOnce.get(key);
    return test !== undefined && test((args as unknown as SlackCommandMiddlewareArgs).command);
  }

  private async runAtOnce(kind: string, key: string, handlers: Handler[], args: Args): Promise<void> {
    if (this.atOnce >= AT_ONCE_LIMIT) return refuse(args);
    this.atOnce += 1;
    try {
      await runAll(kind, key, handlers, args);
    } finally {
      this.atOnce -= 1;
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
