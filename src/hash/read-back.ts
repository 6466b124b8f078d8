// Read-back verification on the second core: a worker thread re-reads and re-hashes what the
// copy has written, following right behind it, so verifying a file costs little extra wall time.
// The final comparison waits for the copy's fdatasync and reads on to end of file, so a copy
// that grew or shrank is caught too.
import { Worker } from 'node:worker_threads';
import type { DigestAlgorithm, Digests } from './digest.js';

// Plain JS run by the worker (eval), so it works from the sources under vitest and from dist/.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
let job = null;
const buf = Buffer.allocUnsafeSlow(BUFFER_SIZE);
function readTo(limit) {
  while (limit === Infinity || job.done < limit) {
    const want = limit === Infinity ? buf.length : Math.min(buf.length, limit - job.done);
    const n = readSync(job.fd, buf, 0, want, job.done);
    if (n === 0) break;
    const chunk = buf.subarray(0, n);
    for (const h of job.hashes) h.update(chunk);
    job.done += n;
  }
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'begin') {
      job = { fd: openSync(m.file, 'r'), done: 0, algorithms: m.algorithms, hashes: m.algorithms.map((a) => createHash(a)) };
    } else if (m.op === 'advance') {
      if (job) readTo(m.to);
    } else if (m.op === 'finish') {
      readTo(Infinity);
      const digests = {};
      job.algorithms.forEach((a, i) => (digests[a] = job.hashes[i].digest('hex')));
      closeSync(job.fd);
      parentPort.postMessage({ ok: true, bytes: job.done, digests });
      job = null;
    } else if (m.op === 'cancel') {
      if (job) closeSync(job.fd);
      job = null;
      parentPort.postMessage({ ok: true, cancelled: true });
    }
  } catch (err) {
    if (job) { try { closeSync(job.fd); } catch {} }
    job = null;
    parentPort.postMessage({ ok: false, error: String(err && err.message || err), code: err && err.code });
  }
});
`;

export class ReadBackVerifier {
  private readonly worker: Worker;
  private failure?: Error;
  private waiting?: { resolve: (v: any) => void; reject: (e: Error) => void };

  constructor(bufferSize = 8 * 1024 * 1024) {
    this.worker = new Worker(WORKER_SOURCE.replace('BUFFER_SIZE', String(bufferSize)), { eval: true });
    this.worker.unref();
    this.worker.on('message', (m) => {
      if (!m.ok) {
        const err = Object.assign(new Error(`read-back verification failed: ${m.error}`), { code: m.code });
        if (this.waiting) this.waiting.reject(err);
        else this.failure = err;
      } else this.waiting?.resolve(m);
      this.waiting = undefined;
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      this.waiting?.reject(err);
      this.waiting = undefined;
    });
  }

  /** Start following a file the copy is writing (it must exist). */
  begin(file: string, algorithms: readonly DigestAlgorithm[]): void {
    this.failure = undefined;
    this.worker.postMessage({ op: 'begin', file, algorithms: [...algorithms] });
  }

  /** The copy has written (write returned) everything before this offset. */
  advance(to: number): void {
    this.worker.postMessage({ op: 'advance', to });
  }

  /** After the copy's fdatasync: read to end of file and return what was read back. */
  finish(): Promise<{ bytes: number; digests: Digests }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve: (m) => resolve({ bytes: m.bytes, digests: m.digests }), reject };
      this.worker.postMessage({ op: 'finish' });
    });
  }

  cancel(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = { resolve: () => resolve(), reject: () => resolve() };
      this.worker.postMessage({ op: 'cancel' });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
