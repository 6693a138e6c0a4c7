import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type CustomRoute, type Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import type { DatabaseHandle } from './db/database';
import { communityFeature } from './features/community';
import { communityPort } from './features/community/port';
import { healthFeature } from './features/health';
import { homeFeature } from './features/home';
import { normsFeature } from './features/norms';
import { pulseFeature } from './features/pulse';
import { strugglesFeature } from './features/struggles';
import { strugglesSinceLastMeeting } from './features/struggles/agenda';
import { meetingsFeature } from './features/meetings';
import type { Feature, FeatureContext } from './features/types';
import { AppLogger } from './logger';
import { registerCopCommand } from './slack/cop-command';
import { createSlackTransport } from './slack/http-transport';
import { SlackRoutes } from './slack/routes';
import { AfterAckQueue } from './slack/after-ack';
import { drainOutbox } from './slack/outbox';
import { Scheduler } from './scheduler';

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
  /** Overrides for the Web API client (tests shorten retries). */
  readonly clientOptions?: WebClientOptions;
}

export interface CopBot {
  readonly app: App;
  readonly features: readonly Feature[];
  /** Every action, view, shortcut and event the features handle. */
  readonly routes: SlackRoutes;
  start(): Promise<void>;
  /** Stops taking requests, lets in-flight work finish, stops the scheduler. Leaves the database open. */
  stop(): Promise<void>;
  /** One scheduler tick, now; what cron does every minute. */
  tick(now?: Date): Promise<void>;
  ready(): Promise<boolean>;
}

export function createApp(deps: AppDeps): CopBot {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? new AppLogger(config.logLevel);
  const socketMode = config.slackAppToken !== undefined;
  let socketConnected = false;
  let botUserId: string | undefined;

  const ready = async () => (await database.ping()) && (!socketMode || socketConnected);
  const customRoutes: CustomRoute[] = [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => reply(res, 200, 'ok') },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        void ready().then((ok) => reply(res, ok ? 200 : 503, ok ? 'ready' : 'not ready'));
      },
    },
  ];

  const transport = createSlackTransport();
  const clientOptions: WebClientOptions = {
    slackApiUrl: config.slackApiUrl,
    logger: logger.child('web-api'),
    fetch: transport.fetch,
    ...deps.clientOptions,
  };
  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.slackAppToken!,
        logger: logger.child('socket-mode'),
        customRoutes,
        installerOptions: { port: config.port, clientOptions },
      })
    : new HTTPReceiver({
        signingSecret: config.slackSigningSecret!,
        endpoints: '/slack/events',
        customRoutes,
        logger: logger.child('http'),
        processBeforeResponse: deps.processBeforeResponse ?? false,
      });
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => (socketConnected = true));
    receiver.client.on('disconnected', () => (socketConnected = false));
  }

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

  // Count listeners in progress, so shutdown can let them finish.
  let inFlight = 0;
  app.use(async ({ next }) => {
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  });

  const features: Feature[] = [];
  const home = (): ReturnType<typeof homeFeature> => homeSurface;
  // One drain at a time per instance; the database keeps several instances from double-sending.
  let draining: Promise<void> | undefined;
  const sendDueDms = (): Promise<void> => {
    draining ??= drainOutbox(database.db, app.client, logger.child('outbox'), () => clock.now())
      .then(() => undefined)
      .catch((error: unknown) => logger.error('sending queued DMs failed', error))
      .finally(() => (draining = undefined));
    return draining;
  };

  const ctx: FeatureContext = {
    db: database.db,
    community: communityPort(database.db),
    clock,
    logger,
    client: app.client,
    secret: config.slackSigningSecret ?? config.slackBotToken,
    refreshHome: (userId) =>
      home()
        .publish(userId)
        .catch((error: unknown) => logger.error('refreshing the App Home failed', error)),
    sendDueDms,
  };

  // The table of contents: each feature, in the order its parts appear in help and the App Home.
  const community = communityFeature(ctx, {
    allSubcommands: () => features.flatMap((f) => f.subcommands ?? []),
    joinHooks: () => features.flatMap((f) => (f.onMemberJoined ? [f.onMemberJoined.bind(f)] : [])),
    botUserId: () => botUserId,
  });
  features.push(community);
  const homeSurface = homeFeature(ctx, () => features.flatMap((f) => (f.homeSection ? [f.homeSection] : [])));
  features.push(homeSurface);
  features.push(normsFeature(ctx));
  features.push(strugglesFeature(ctx));
  features.push(meetingsFeature(ctx, { agendaProviders: [strugglesSinceLastMeeting] }));
  features.push(pulseFeature(ctx));
  features.push(
    healthFeature(ctx, { figures: () => features.flatMap((f) => (f.healthFigures ? [f.healthFigures] : [])) }),
  );

  // Last, so DMs queued by the jobs above go out in the same tick.
  features.push({
    name: 'outbox',
    jobs: [
      {
        name: 'send-dms',
        run: sendDueDms,
      },
    ],
  });

  // A few jobs after their acks at a time: below the pool's 10 connections, so scheduled jobs
  // and vote batches still find one (see AfterAckQueue).
  const routes = new SlackRoutes(logger.child('routes'), new AfterAckQueue({ concurrency: 4, leaseMs: 2_000 }));
  registerCopCommand(routes, { db: database.db, logger, subcommands: features.flatMap((f) => f.subcommands ?? []) });
  for (const feature of features) feature.register?.(routes);
  routes.attach(app);

  app.error(async (error) => {
    logger.error('unhandled error in a listener', error);
  });

  const scheduler = new Scheduler(() => features.flatMap((f) => f.jobs ?? []), clock, logger.child('scheduler'));

  return {
    app,
    features,
    routes,
    ready,
    tick: (now) => scheduler.tick(now),
    async start() {
      await app.start(config.port);
      const auth = await app.client.auth.test();
      botUserId = auth.user_id;
      scheduler.start();
      logger.info(
        `CoP bot running in ${socketMode ? 'Socket Mode' : `HTTP mode on port ${config.port}`} with ${database.kind}`,
      );
    },
    async stop() {
      await scheduler.stop();
      await app.stop();
      // In Socket Mode app.stop() only starts the WebSocket close handshake; let it finish.
      const closing = Date.now() + 2_000;
      while (socketConnected && Date.now() < closing) await new Promise((r) => setTimeout(r, 20));
      const deadline = Date.now() + 8_000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await transport.close();
    },
  };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}
