// Polls /proc/self/mountinfo and reports the recorder mounts that appear, vanish or are
// remounted under the watched roots. Polling is the only reliable way: inotify does not see
// mounts. Every 250 ms-1 s; reading the file costs microseconds.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { diffMounts, parseMountinfo, recorderMounts, type MountEntry } from './mountinfo.js';

export interface MountWatcherOptions {
  /** Directories whose sub-mounts are recorders, e.g. /run/evidock/media. */
  roots: string[];
  intervalMs?: number;
  /** Injected for tests. */
  mountinfoPath?: string;
}

export interface MountWatcherEvents {
  mounted: [MountEntry];
  unmounted: [MountEntry];
  remounted: [{ before: MountEntry; after: MountEntry }];
  error: [Error];
}

export class MountWatcher extends EventEmitter<MountWatcherEvents> {
  readonly intervalMs: number;
  private readonly file: string;
  private current: MountEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private lastError = '';

  constructor(private readonly opts: MountWatcherOptions) {
    super();
    this.intervalMs = Math.min(1000, Math.max(250, opts.intervalMs ?? 500));
    this.file = opts.mountinfoPath ?? '/proc/self/mountinfo';
  }

  /** Recorder mounts present now (after the last poll). */
  get mounts(): readonly MountEntry[] {
    return this.current;
  }

  /** Starts polling; mounts already present are reported as `mounted` by the first poll. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One poll now (also used by tests and after a known change to skip the wait). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = null));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      const msg = `cannot read ${this.file}: ${(e as Error).message}`;
      if (msg !== this.lastError) this.emit('error', new Error(msg));
      this.lastError = msg;
      return;
    }
    this.lastError = '';
    const next = recorderMounts(parseMountinfo(text), this.opts.roots);
    const diff = diffMounts(this.current, next);
    this.current = next;
    for (const e of diff.removed) this.emit('unmounted', e);
    for (const c of diff.changed) this.emit('remounted', c);
    for (const e of diff.added) this.emit('mounted', e);
  }
}
