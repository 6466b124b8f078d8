// Digests computed on a hashing thread from the copy's shared buffers: update() resolves once that thread has hashed the range, so a caller that awaits it
// before the buffer is reused hashes exactly the bytes it wrote. Used when SM3 is on (SM3 is
// several times slower than SHA-256 and would hold up the main thread of every copy).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MultiDigest, type DigestAlgorithm, type Digests } from './digest.js';

type DigestThreadRequest =
  | { op: 'open'; id: number; algorithms: string[] }
  | { op: 'update'; id: number; memory: SharedArrayBuffer; offset: number; length: number }
  | { op: 'digest'; id: number };
type DigestThreadReply = { id: number; ok: true; digests?: Record<string, string> } | { id: number; ok: false; error: string };

/**
 * The hashing thread (plain JavaScript, the same from the sources and from dist/): the digest
 * state of each stream it is given; it hashes ranges of shared memory on request and never
 * changes a byte. Replies come in the order of the requests.
 */
const THREAD_SOURCE = `
const { createHash } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
const streams = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'open') streams.set(m.id, m.algorithms.map((a) => [a, createHash(a)]));
    else if (m.op === 'update') {
      const bytes = new Uint8Array(m.memory, m.offset, m.length);
      for (const [, h] of streams.get(m.id) ?? []) h.update(bytes);
    } else {
      const digests = {};
      for (const [a, h] of streams.get(m.id) ?? []) digests[a] = h.digest('hex');
      streams.delete(m.id);
      return parentPort.postMessage({ id: m.id, ok: true, digests });
    }
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (err) {
    streams.delete(m.id);
    parentPort.postMessage({ id: m.id, ok: false, error: err.message });
  }
});`;

interface Pending {
  resolve: (r: DigestThreadReply) => void;
}

class DigestThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Pending[]>();
  private outstanding = 0;
  busy = 0;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, { eval: true });
    this.worker.on('message', (r: DigestThreadReply) => {
      if (--this.outstanding === 0) this.worker.unref();
      this.waiting.get(r.id)?.shift()?.resolve(r);
    });
    this.worker.on('error', (err) => {
      for (const list of this.waiting.values()) for (const p of list) p.resolve({ id: -1, ok: false, error: `hashing thread failed: ${err.message}` });
      this.waiting.clear();
      this.outstanding = 0;
      this.worker.unref();
    });
    // referenced only while a request is out: an idle hashing thread never keeps evidock running
    this.worker.unref();
  }

  ask(m: DigestThreadRequest): Promise<DigestThreadReply> {
    return new Promise((resolve) => {
      const list = this.waiting.get(m.id) ?? [];
      list.push({ resolve });
      this.waiting.set(m.id, list);
      if (this.outstanding++ === 0) this.worker.ref();
      this.worker.postMessage(m);
    });
  }

  forget(id: number): void {
    this.waiting.delete(id);
  }
}

let threads: DigestThread[] = [];
let nextId = 1;

/** The thread with the fewest open streams (threads start on first use, one per core, at most 4). */
function pickThread(): DigestThread {
  if (threads.length === 0) threads = Array.from({ length: Math.min(4, Math.max(1, availableParallelism())) }, () => new DigestThread());
  return threads.reduce((a, b) => (b.busy < a.busy ? b : a));
}

export class ThreadedDigest {
  private readonly id = nextId++;
  private readonly thread = pickThread();
  private readonly opened: Promise<DigestThreadReply>;

  constructor(algorithms: readonly DigestAlgorithm[]) {
    if (!algorithms.includes('sha256')) throw new Error('sha256 is always computed');
    this.thread.busy++;
    this.opened = this.thread.ask({ op: 'open', id: this.id, algorithms: [...algorithms] });
  }

  /** Hashes bytes (a view of a SharedArrayBuffer) on the thread; resolves when done. */
  async update(bytes: Uint8Array): Promise<void> {
    if (!(bytes.buffer instanceof SharedArrayBuffer)) throw new Error('a threaded digest hashes shared buffers only');
    await this.opened;
    const r = await this.thread.ask({ op: 'update', id: this.id, memory: bytes.buffer, offset: bytes.byteOffset, length: bytes.byteLength });
    if (!r.ok) throw new Error(r.error);
  }

  async digest(): Promise<Digests> {
    try {
      await this.opened;
      const r = await this.thread.ask({ op: 'digest', id: this.id });
      if (!r.ok) throw new Error(r.error);
      return r.digests as Digests;
    } finally {
      this.thread.busy--;
      this.thread.forget(this.id);
    }
  }
}

/** A stream of digests, computed here or on a hashing thread. */
export interface StreamDigest {
  update(bytes: Uint8Array): void | Promise<void>;
  digest(): Digests | Promise<Digests>;
}

/** SM3 on a hashing thread when the buffers are shared (CopyBuffers made with `shared`); else here. */
export function digestFor(algorithms: readonly DigestAlgorithm[], buffer: Uint8Array): StreamDigest {
  return algorithms.includes('sm3') && buffer.buffer instanceof SharedArrayBuffer ? new ThreadedDigest(algorithms) : new MultiDigest(algorithms);
}
