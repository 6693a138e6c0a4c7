import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { DatabaseHandle } from '../db/database';
import type { SlackConnection } from './receiver';

/** Ready to serve: the database answers and, in Socket Mode, the WebSocket is open. */
export async function isReady(database: DatabaseHandle, connection: SlackConnection): Promise<boolean> {
  return (await database.ping()) && connection.connected;
}

/** /healthz: the process is up. /readyz: it can serve (see isReady); 503 while it cannot. */
export function healthRoutes(ready: () => Promise<boolean>): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => reply(res, 200, 'ok') },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void ready().then((ok) => reply(res, ok ? 200 : 503, ok ? 'ready' : 'not ready'));
      },
    },
  ];
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}
