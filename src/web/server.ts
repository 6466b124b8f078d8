// The station page: read-only HTTP(S) on node:http, served by the daemon. `/` the dock kiosk
// (plain files in src/web/public), `/events` its live tiles (server-sent events), `/healthz` for
// monitoring, `/supervisor` behind a token. No request changes the home; supervisor views and
// refusals are audit entries.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { stationHealth } from '../daemon/health.js';
import type { SlotStatus } from '../daemon/status-file.js';
import type { Home } from '../home.js';
import type { Db } from '../store/catalog.js';
import type { OriginalsStore } from '../store/originals.js';
import { reply, replyJson, replyText, requestUrl } from './http-reply.js';
import { kioskTiles } from './kiosk-slots.js';
import type { ListenPlan } from './listen.js';
import { LiveFeed } from './live-feed.js';
import { officerLookup } from './officer-on-recorder.js';
import { loadPublicFiles } from './public-files.js';
import { handleSupervisor } from './supervisor/routes.js';

/** What the page reads from the running daemon: its live slots and its catalog handle. */
export interface StationPageSource {
  config: Config;
  home: Home;
  db: Db;
  logger: Logger;
  originals: Pick<OriginalsStore, 'locate'>;
  pid: number;
  startedAt: string;
  slotStatuses(): SlotStatus[];
  onSlotsChanged(listener: () => void): () => void;
}

export interface StationPage {
  url: string;
  /** Open kiosk streams (tests, diagnostics). */
  readonly viewers: number;
  close(): Promise<void>;
}

export async function startStationPage(src: StationPageSource, plan: ListenPlan): Promise<StationPage> {
  const files = loadPublicFiles();
  const officerOf = officerLookup(src.db);
  const tiles = () => ({ station: src.config.station.name || src.config.station.id, tiles: kioskTiles(src.slotStatuses(), src.config, officerOf, src.startedAt) });
  const feed = new LiveFeed(tiles);
  const unsubscribe = src.onSlotsChanged(() => feed.changed());
  const secure = plan.tls !== undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { pathname } = requestUrl(req);
    if (pathname === '/supervisor' || pathname.startsWith('/supervisor/')) return handleSupervisor(req, res, src, src.logger, secure);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain; charset=utf-8', 'read-only: GET only\n', { allow: 'GET, HEAD' });
    if (pathname === '/events') return feed.open(req, res);
    if (pathname === '/tiles.json') return replyJson(res, 200, tiles());
    if (pathname === '/healthz') {
      const health = stationHealth(src.db, src.config, src.home, { pid: src.pid, startedAt: src.startedAt });
      return replyJson(res, health.ok ? 200 : 503, health);
    }
    const file = files.get(pathname === '/' ? 'kiosk.html' : pathname.slice(1));
    if (file) return reply(res, 200, file.type, file.body);
    replyText(res, 404, 'not found');
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err) => {
      src.logger.error({ err, url: req.url }, 'station page request failed');
      if (!res.headersSent) replyText(res, 500, 'internal error');
      else res.end();
    });
  };
  const server: Server = plan.tls ? createHttpsServer({ cert: plan.tls.cert, key: plan.tls.key }, onRequest) : createHttpServer(onRequest);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(plan.port, plan.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${secure ? 'https' : 'http'}://${host}:${address.port}/`;
  return {
    url,
    get viewers() {
      return feed.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        feed.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
