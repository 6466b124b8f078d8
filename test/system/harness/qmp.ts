// Minimal QMP (QEMU Machine Protocol) client: JSON lines over a unix socket.
import net from 'node:net';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export class QmpClient {
  private buf = '';
  private readonly pending: { resolve: (v: unknown) => void; reject: (e: Error) => void; cmd: string }[] = [];
  private readonly events: QmpEvent[] = [];
  private eventWaiters: { pred: (e: QmpEvent) => boolean; resolve: (e: QmpEvent) => void }[] = [];
  private closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', () => this.onClose());
    sock.on('close', () => this.onClose());
  }

  /** Connects (retrying while QEMU creates the socket) and negotiates capabilities. */
  static async connect(socketPath: string, timeoutMs = 30_000): Promise<QmpClient> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(socketPath);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const c = new QmpClient(sock);
        await c.greeting();
        await c.execute('qmp_capabilities');
        return c;
      } catch (e) {
        if (Date.now() > end) throw new Error(`QMP: cannot connect to ${socketPath}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private greetingResolve: (() => void) | null = null;
  private greeting(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.greetingResolve = resolve;
      setTimeout(() => reject(new Error('no QMP greeting')), 10_000).unref();
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      if ('QMP' in msg) this.greetingResolve?.();
      else if ('event' in msg) {
        const ev = msg as unknown as QmpEvent;
        const w = this.eventWaiters.find((x) => x.pred(ev));
        if (w) {
          this.eventWaiters = this.eventWaiters.filter((x) => x !== w);
          w.resolve(ev);
        } else this.events.push(ev);
      } else if ('return' in msg || 'error' in msg) {
        const p = this.pending.shift();
        if (!p) continue;
        if ('error' in msg) {
          const err = msg.error as { class: string; desc: string };
          p.reject(new Error(`QMP ${p.cmd}: ${err.class}: ${err.desc}`));
        } else p.resolve(msg.return);
      }
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.splice(0)) p.reject(new Error(`QMP ${p.cmd}: connection closed`));
  }

  execute<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`QMP ${cmd}: connection closed`));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (v: unknown) => void, reject, cmd });
      this.sock.write(JSON.stringify(args ? { execute: cmd, arguments: args } : { execute: cmd }) + '\n');
    });
  }

  /** Waits for an event (one that already arrived counts). */
  waitEvent(pred: (e: QmpEvent) => boolean, timeoutMs = 15_000): Promise<QmpEvent> {
    const k = this.events.findIndex(pred);
    if (k >= 0) return Promise.resolve(this.events.splice(k, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (e: QmpEvent) => (clearTimeout(t), resolve(e)) };
      const t = setTimeout(() => {
        this.eventWaiters = this.eventWaiters.filter((x) => x !== w);
        reject(new Error('QMP: timeout waiting for event'));
      }, timeoutMs);
      this.eventWaiters.push(w);
    });
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }
}
