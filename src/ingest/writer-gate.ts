// The station's writer gate: how many copies write into the store at once, across every docked
// recorder, each with its copy buffers from one pool. Fair start: a recorder that has copied
// nothing yet goes before recorders that have, so none waits behind a big one; among equals,
// first come first served. The limit adapts to the store disk: while copies wait for a place, it
// is raised step by step as long as each step raises the bytes written per second, and it goes
// back to the last good limit when a step does not (a disk thrashed by too many writers).
import { CopyBuffers } from '../hash/copy.js';

export interface WriterGateOptions {
  /** Places at the start. */
  initial: number;
  /** Never fewer, never more places than these. */
  min: number;
  max: number;
  /** Copy buffer size (bytes) while few copies run; smaller ones keep the pool within memoryBudget. */
  bufferBytes: number;
  /** All copy buffers of the pool together, at most (bytes): four buffers per place. */
  memoryBudget: number;
  /** Buffers in shared memory, for hashing on a thread (SM3 on). */
  sharedBuffers?: boolean;
  /** How often the limit is reconsidered (ms). */
  windowMs: number;
  /** A step up must raise the bytes written per window by this fraction to be kept. */
  minGain: number;
  now?: () => number;
}

export interface WriterPlace {
  buffers: CopyBuffers;
  /** Bytes written through this place (for the gate's measure of the disk). */
  wrote(bytes: number): void;
  release(): void;
}

interface Waiter {
  started: boolean;
  seq: number;
  grant: (place: WriterPlace) => void;
}

const MiB = 1024 * 1024;

export const WRITER_GATE_DEFAULTS: WriterGateOptions = {
  initial: 16,
  min: 2,
  max: 64,
  bufferBytes: 8 * MiB,
  memoryBudget: 512 * MiB,
  windowMs: 2000,
  minGain: 0.05,
};

export class WriterGate {
  private limitNow: number;
  private inUse = 0;
  private seq = 0;
  private readonly waiters: Waiter[] = [];
  private readonly free: CopyBuffers[] = [];
  private readonly opts: WriterGateOptions;
  private readonly now: () => number;
  // the measure of the disk: bytes written in the current window, and whether anyone waited
  private windowStart: number;
  private windowBytes = 0;
  private windowWaited = false;
  private last?: { limit: number; bytesPerMs: number; steppedUp: boolean };
  private holdWindows = 0;

  constructor(opts: Partial<WriterGateOptions> = {}) {
    this.opts = { ...WRITER_GATE_DEFAULTS, ...opts };
    this.now = this.opts.now ?? (() => Date.now());
    this.limitNow = Math.min(this.opts.max, Math.max(this.opts.min, this.opts.initial));
    this.windowStart = this.now();
  }

  get limit(): number {
    return this.limitNow;
  }

  get writing(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Buffer size for a place: the configured size, smaller when many places would exceed the budget. */
  bufferSize(): number {
    const fit = Math.floor(this.opts.memoryBudget / (4 * this.limitNow) / MiB) * MiB;
    return Math.max(MiB, Math.min(this.opts.bufferBytes, fit));
  }

  /**
   * A place to write, with its buffers. `started`: the recorder has copied a file already (it
   * waits behind those that have not). Rejects when signal aborts while waiting.
   */
  acquire(started: boolean, signal?: AbortSignal): Promise<WriterPlace> {
    this.tick();
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (this.inUse < this.limitNow && !this.waiters.some((w) => !w.started || started)) {
      this.inUse++;
      return Promise.resolve(this.place());
    }
    this.windowWaited = true;
    return new Promise<WriterPlace>((resolve, reject) => {
      const waiter: Waiter = { started, seq: this.seq++, grant: resolve };
      this.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(waiter);
          if (i < 0) return;
          this.waiters.splice(i, 1);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        },
        { once: true },
      );
    });
  }

  private place(): WriterPlace {
    const size = this.bufferSize();
    let buffers = this.free.pop();
    while (buffers && buffers.size !== size) buffers = this.free.pop(); // a changed size: old ones go
    buffers ??= new CopyBuffers(size, this.opts.sharedBuffers);
    let released = false;
    return {
      buffers,
      wrote: (bytes) => {
        this.windowBytes += bytes;
        this.tick();
      },
      release: () => {
        if (released) return;
        released = true;
        if (buffers.size === this.bufferSize() && this.free.length < this.limitNow) this.free.push(buffers);
        this.inUse--;
        this.tick();
        this.grantNext();
      },
    };
  }

  /** Who is next: first those that have not started, then by arrival. */
  private grantNext(): void {
    while (this.inUse < this.limitNow && this.waiters.length) {
      let best = 0;
      for (let i = 1; i < this.waiters.length; i++) {
        const w = this.waiters[i];
        const b = this.waiters[best];
        if ((w.started ? 1 : 0) < (b.started ? 1 : 0) || ((w.started ? 1 : 0) === (b.started ? 1 : 0) && w.seq < b.seq)) best = i;
      }
      const [next] = this.waiters.splice(best, 1);
      this.inUse++;
      next.grant(this.place());
    }
  }

  /** At the end of each window: step the limit up while it pays, back to the last good one when not. */
  private tick(): void {
    const now = this.now();
    const elapsed = now - this.windowStart;
    if (elapsed < this.opts.windowMs) return;
    const bytesPerMs = this.windowBytes / elapsed;
    const waited = this.windowWaited || this.waiters.length > 0;
    this.windowStart = now;
    this.windowBytes = 0;
    this.windowWaited = false;
    if (this.holdWindows > 0) {
      this.holdWindows--;
      return;
    }
    const last = this.last;
    if (last?.steppedUp && bytesPerMs < last.bytesPerMs * (1 + this.opts.minGain)) {
      // the step did not pay: back to the last good limit, and stay there a while
      this.limitNow = last.limit;
      this.last = { limit: last.limit, bytesPerMs: last.bytesPerMs, steppedUp: false };
      this.holdWindows = 5;
      return;
    }
    if (waited && this.limitNow < this.opts.max) {
      this.last = { limit: this.limitNow, bytesPerMs, steppedUp: true };
      this.limitNow = Math.min(this.opts.max, Math.max(this.limitNow + 1, Math.ceil(this.limitNow * 1.25)));
      this.grantNext();
    } else {
      this.last = { limit: this.limitNow, bytesPerMs, steppedUp: false };
    }
  }
}

/** A gate for a station (or a session on its own) from the configuration's copy buffer size. */
export function writerGateFor(config: { hash: { buffer_mib: number; sm3: boolean } }): WriterGate {
  return new WriterGate({ bufferBytes: config.hash.buffer_mib * MiB, sharedBuffers: config.hash.sm3 });
}
