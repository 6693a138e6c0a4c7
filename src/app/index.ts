import { App, type LogLevel } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { derivedSecret, type CapabilityKeys } from '../capability-secret';
import { systemClock, type Clock } from '../clock';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { communityFeature } from '../features/community';
import { communityPort } from '../features/community/port';
import { healthFeature } from '../features/health';
import { homeFeature, homePage } from '../features/home';
import { meetingsFeature } from '../features/meetings';
import { normsFeature } from '../features/norms';
import { pulseFeature } from '../features/pulse';
import { strugglesFeature } from '../features/struggles';
import type { Feature, FeatureContext } from '../features/types';
import { AppLogger } from '../logger';
import { metricsRoute, track } from '../metrics';
import { AfterAckQueue } from '../slack/after-ack';
import { createSlackTransport } from '../slack/http-transport';
import { logRequestId } from '../slack/log-context';
import { pendingDms } from '../slack/outbox-stats';
import { SlackRoutes } from '../slack/routes';
import { FeatureCatalogue } from './catalogue';
import { registerCopRouter } from './cop-router';
import { DueDms } from './due-dms';
import { healthRoutes, isReady } from './health';
import { housekeeping } from './housekeeping';
import { createReceiver, SlackConnection, webClientOptions, type ReceiverOptions } from './receiver';
import { Scheduler } from './scheduler';
import { InFlight, stopApp } from './shutdown';

export interface AppDeps {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock?: Clock;
  readonly logger?: AppLogger;
  /**
   * Hold each HTTP response until its listener has finished. Tests use it to be deterministic;
   * production leaves it off so Slack always gets its ack within 3 seconds.
   */
  readonly processBeforeResponse?: boolean;
  /** Keys for anonymous authors' capabilities (main resolves them); default: derived from the Slack secret. */
  readonly capabilityKeys?: CapabilityKeys;
  /** Tick the scheduler every minute (default). Tests tick by hand, so no real minute races them. */
  readonly cron?: boolean;
  /** Overrides for the Web API client (tests shorten retries). */
  readonly clientOptions?: WebClientOptions;
  /** How many jobs may wait after their acks before commands are refused as busy (default 200). */
  readonly afterAckWaiting?: number;
  /** Socket Mode's heartbeat and reconnect timings (tests shorten them), and who hears of the socket's state. */
  readonly socketMode?: ReceiverOptions['socketMode'];
}

export interface CopBot {
  readonly app: App;
  readonly features: readonly Feature[];
  /** Every action, view, shortcut and event the features handle. */
  readonly routes: SlackRoutes;
  start(): Promise<void>;
  /** Stops taking requests, lets in-flight work finish, stops the scheduler. Leaves the database open. */
  stop(): Promise<void>;
  /** One scheduler tick, now (what cron does every minute), and the sending of the DMs it queued. */
  tick(now?: Date): Promise<void>;
  ready(): Promise<boolean>;
  /** Requests whose listeners are still running (what shutdown waits for; tests wait for 0). */
  busy(): number;
}

/** The app's table of contents: how Slack reaches it, what it is made of, how it starts and stops. */
export function createApp(deps: AppDeps): CopBot {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? new AppLogger(config.logLevel);

  // How Slack reaches the app (receiver.ts), and our own health routes beside it (health.ts).
  const connection = new SlackConnection(config.slackAppToken !== undefined);
  const ready = () => isReady(database, connection);
  const transport = createSlackTransport();
  const clientOptions = webClientOptions(config, logger, transport, deps.clientOptions);
  const receiver = createReceiver({
    config,
    logger,
    connection,
    clientOptions,
    customRoutes: [...healthRoutes(ready), metricsRoute],
    processBeforeResponse: deps.processBeforeResponse ?? false,
    socketMode: deps.socketMode,
  });
  const app = new App({
    token: config.slackBotToken,
    receiver,
    logger: logger.child('bolt'),
    logLevel: config.logLevel as LogLevel,
    clientOptions,
    // Bolt's in-memory conversation store is unused here (state lives in the database), and its
    // lookup throws and catches an Error, stack trace and all, on every request.
    convoStore: false,
  });
  app.use(logRequestId);
  const inFlight = new InFlight();
  inFlight.attach(app);

  // What every feature is handed.
  const community = communityPort(database.db);
  const catalogue = new FeatureCatalogue();
  const home = homePage({ community, client: app.client, logger }, () => ({
    member: catalogue.homeSections(),
    coordinator: catalogue.homeCoordinatorSections(),
  }));
  const dueDms = new DueDms(database.db, app.client, logger.child('outbox'), clock);
  const identity: { botUserId?: string } = {};
  const ctx: FeatureContext = {
    db: database.db,
    community,
    clock,
    logger,
    client: app.client,
    secret: deps.capabilityKeys?.current ?? derivedSecret(config),
    previousSecrets: deps.capabilityKeys?.previous,
    refreshHome: (userId) =>
      home.publish(userId).catch((error: unknown) => logger.error('refreshing the App Home failed', error)),
    sendDueDms: () => dueDms.send(),
  };

  // The features, in the order their parts appear in help and the App Home.
  const communityOfPractice = communityFeature(ctx, {
    allSubcommands: () => catalogue.subcommands(),
    joinHooks: () => catalogue.joinHooks(),
    botUserId: () => identity.botUserId,
  });
  catalogue.add(
    communityOfPractice,
    homeFeature(home),
    // A vote may arrive before its voter's join event: the community checks them with Slack.
    normsFeature(ctx, { confirmMember: communityOfPractice.confirmMember }),
    strugglesFeature(ctx),
  );
  // Meetings' agenda gathers what the features above contribute (struggles since the last meeting).
  catalogue.add(meetingsFeature(ctx, { agendaProviders: catalogue.agendaProviders() }));
  // The health picture reads every feature's monthly figures (asked at run time, so all are there).
  catalogue.add(pulseFeature(ctx), healthFeature(ctx, { figures: () => catalogue.healthFigures() }));
  // Last, so DMs queued by the jobs above go out in the same tick.
  catalogue.add(housekeeping(database.db, logger), dueDms.feature());

  // A few jobs after their acks at a time: below the pool's connections, so scheduled jobs and
  // vote batches still find one (see AfterAckQueue). At most 200 wait (a few seconds of work);
  // beyond, a command is told at once that the bot is busy.
  const afterAck = new AfterAckQueue({ concurrency: 4, leaseMs: 2_000, maxWaiting: deps.afterAckWaiting ?? 200 });
  const routes = new SlackRoutes(logger.child('routes'), afterAck, () => database.ping());
  registerCopRouter(routes, { community, logger, subcommands: catalogue.subcommands() });
  catalogue.register(routes);
  routes.attach(app);
  app.error(async (error) => logger.error('unhandled error in a listener', error));

  const scheduler = new Scheduler(catalogue.jobs(), clock, logger.child('scheduler'));
  // What /metrics reads when scraped (see src/metrics.ts).
  const untrack = [
    track('cop_after_ack_queue_depth', () => afterAck.pending),
    track('cop_dms_pending', () => pendingDms(database.db)),
    track('cop_db_pool_in_use', () => database.poolInUse?.()),
    track('cop_socket_connected', () => (connection.socketMode ? Number(connection.socketOpen) : undefined)),
  ];

  return {
    app,
    features: catalogue.features,
    routes,
    ready,
    busy: () => inFlight.size,
    async tick(now) {
      await scheduler.tick(now);
      await dueDms.settled();
    },
    async start() {
      await app.start(config.port);
      identity.botUserId = (await app.client.auth.test()).user_id;
      if (deps.cron ?? true) scheduler.start();
      const mode = connection.socketMode ? 'Socket Mode' : `HTTP mode on port ${config.port}`;
      logger.info(`CoP bot running in ${mode} with ${database.kind}`);
    },
    stop: () => {
      untrack.forEach((remove) => remove());
      return stopApp({ scheduler, dueDms, app, connection, inFlight, transport });
    },
  };
}
