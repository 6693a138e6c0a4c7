import { HTTPReceiver, type CustomRoute, type Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config';
import type { AppLogger } from '../logger';
import type { SlackTransport } from '../slack/http-transport';
import { guardRequests } from '../slack/request-guard';
import { SocketModeLink, type SocketModeOptions } from '../slack/socket-mode';

/** Whether a Socket Mode WebSocket is ready; always "connected" over HTTP, where there is none. */
export class SlackConnection {
  private link: SocketModeLink | undefined;

  constructor(readonly socketMode: boolean) {}

  get connected(): boolean {
    return !this.socketMode || (this.link?.connected ?? false);
  }

  /** True while a Socket Mode WebSocket is open (what shutdown waits to see closed). */
  get socketOpen(): boolean {
    return this.socketMode && (this.link?.openSockets ?? 0) > 0;
  }

  track(link: SocketModeLink): void {
    this.link = link;
  }
}

/** The Web API client's options: Slack's URL (a fake one in tests), our logger and HTTP transport. */
export function webClientOptions(
  config: Config,
  logger: AppLogger,
  transport: SlackTransport,
  overrides: WebClientOptions = {},
): WebClientOptions {
  return { slackApiUrl: config.slackApiUrl, logger: logger.child('web-api'), fetch: transport.fetch, ...overrides };
}

export interface ReceiverOptions {
  readonly config: Config;
  readonly logger: AppLogger;
  readonly connection: SlackConnection;
  readonly clientOptions: WebClientOptions;
  /** Our own HTTP routes (health), served beside Slack's. */
  readonly customRoutes: CustomRoute[];
  readonly processBeforeResponse: boolean;
  /** Socket Mode's heartbeat and reconnect timings (tests shorten them), and who hears of the socket's state. */
  readonly socketMode?: Pick<SocketModeOptions, 'timings' | 'onConnectedChange'>;
}

/**
 * How Slack's requests reach Bolt: a WebSocket when an app token is configured (Socket Mode),
 * else signed HTTP requests on /slack/events.
 */
export function createReceiver(options: ReceiverOptions): Receiver {
  const { config, logger, connection, clientOptions, customRoutes } = options;
  if (connection.socketMode) {
    // Our own receiver (see SocketModeLink): no gap on Slack's refreshes, prompt reconnects.
    const link = new SocketModeLink({
      appToken: config.slackAppToken!,
      logger: logger.child('socket-mode'),
      customRoutes,
      port: config.port,
      clientOptions,
      ...options.socketMode,
    });
    connection.track(link);
    return link;
  }
  const receiver = new HTTPReceiver({
    signingSecret: config.slackSigningSecret!,
    endpoints: '/slack/events',
    customRoutes,
    logger: logger.child('http'),
    processBeforeResponse: options.processBeforeResponse,
    // The guard below verifies every POST to the endpoint before Bolt sees it (it matches the
    // path and method as Bolt does); verifying twice cost ~4% of each command's time.
    signatureVerification: false,
  });
  guardRequests(receiver, { signingSecret: config.slackSigningSecret!, logger: logger.child('guard') });
  return receiver;
}
