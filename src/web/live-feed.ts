// Server-sent events for the kiosk: every open page gets all tiles at once when it connects and
// again at most every 400 ms while slots change (a changed slot shows well within 1 s). A comment
// every 15 s keeps proxies from closing an idle stream; `retry` makes browsers reconnect fast.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './http-reply.js';

const THROTTLE_MS = 400;
const KEEPALIVE_MS = 15_000;

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer?: NodeJS.Timeout;
  private readonly keepalive: NodeJS.Timeout;

  constructor(private readonly snapshot: () => unknown) {
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Something changed: send a new snapshot soon (coalescing bursts of progress updates). */
  changed(): void {
    if (this.timer || this.clients.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write(this.event());
    }, THROTTLE_MS);
  }

  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 1000\n\n' + this.event());
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  get size(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.keepalive);
    if (this.timer) clearTimeout(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private event(): string {
    return `event: tiles\ndata: ${JSON.stringify(this.snapshot())}\n\n`;
  }

  private write(text: string): void {
    for (const res of this.clients) res.write(text);
  }
}
