// Small filesystem steps (create a file, chmod, make folders, rename without overwriting, make
// many paths durable) run in order on a thread of their own: a batch of held objects is hundreds
// of creates, chmods and flushes, which would otherwise each cost the main thread a system call or
// a trip through the thread pool while it should be copying and committing.
//
// A flush is one syncfs(2) per filesystem where the filesystem is one whose syncfs writes every
// dirty file and folder and then the disk's cache (ext2/3/4, XFS, Btrfs, F2FS; tmpfs has nothing
// to write): on this machine's disk that costs a quarter of the CPU and a fifth of the wait of an
// fsync per path (13 per held object). Node has no syncfs, so a small perl process (perl is there
// for exiftool) makes the call. Elsewhere (NFS, FUSE, ...), or when perl cannot, each path is
// fsynced.
import { Worker } from 'node:worker_threads';

export type FsStep =
  /** Create `path` (refusing one that exists) with `mode`, and write `data` (UTF-8). */
  | { op: 'write'; path: string; data: string; mode: number }
  | { op: 'chmod'; path: string; mode: number }
  /** Make `path` and each missing ancestor; the parent of each folder made is flushed by the next 'flush'. */
  | { op: 'mkdirs'; path: string }
  /** Rename `from` to `to`, refusing (EEXIST) when `to` exists. */
  | { op: 'renameNew'; from: string; to: string }
  /**
   * Make each path durable (and the folders 'mkdirs' made parents of since the last flush): one
   * syncfs per filesystem (see above), else an fsync per path, several in flight at once.
   * `perPath`: fsync each path even where syncfs would do.
   */
  | { op: 'flush'; paths: string[]; perPath?: boolean }
  /** Remove `files` then the folder `dir`, ignoring any failure (best effort: the next start clears what is left). */
  | { op: 'removeQuietly'; files: string[]; dir: string };

type Reply = { id: number; ok: true } | { id: number; ok: false; error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } };

/**
 * The thread (plain JavaScript, the same from the sources and from dist/). A write creates the
 * file with its final mode (0444 still gives a writable descriptor to its creator), so no chmod.
 */
const THREAD_SOURCE = `
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { parentPort, Worker, workerData } = require('node:worker_threads');
// fsyncs wait on the disk, not the CPU: a few flusher threads each run their share one after
// another (blocking calls), so several are in flight with one message per share. Async fsyncs
// through the libuv pool cost three pool trips, wake-ups and promise callbacks per path: in a
// profile of 3000 small files that machinery used a third of all CPU.
const FLUSHER_THREADS = 6;
const FLUSHER_SOURCE = \`
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, paths }) => {
  for (const p of paths) {
    try {
      const fd = fs.openSync(p, 'r');
      try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    } catch (err) {
      parentPort.postMessage({ id, error: { message: err.message, code: err.code, errno: err.errno, syscall: err.syscall, path: err.path ?? p } });
      return;
    }
  }
  parentPort.postMessage({ id });
});\`;
// Each flusher answers its shares in order; waiting maps a share's id to its promise.
const flushers = [];
const waiting = new Map();
let flushId = 0;
function startFlusher() {
  const w = new Worker(FLUSHER_SOURCE, { eval: true });
  w.on('message', (r) => {
    const done = waiting.get(r.id);
    waiting.delete(r.id);
    r.error ? done.reject(Object.assign(new Error(r.error.message), r.error)) : done.resolve();
  });
  w.unref(); // this thread's own port keeps it running while it has steps
  return w;
}
function flushOn(flusher, paths) {
  return new Promise((resolve, reject) => {
    const id = ++flushId;
    waiting.set(id, { resolve, reject });
    flusher.postMessage({ id, paths });
  });
}
// The perl process that calls syncfs: a path (hex) per line in, "ok" or "err <errno>" per line
// out, in order. It ends when its input closes (this process gone). Started with this thread (see
// startFsSteps); when it cannot start or dies, flushes fall back to an fsync per path, never to
// another start: a fork waits while any card read hangs in the kernel.
let syncfsHelper; // undefined once it cannot start or has died: never started again
const helperGone = () => Object.assign(new Error('the syncfs helper (perl) is not running'), { helperGone: true });
const syncfsWaiting = [];
function startSyncfsHelper() {
  const child = spawn('perl', ['-e', workerData.syncfsPerl], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    out += chunk;
    for (let nl = out.indexOf('\\n'); nl >= 0; nl = out.indexOf('\\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const w = syncfsWaiting.shift();
      if (line === 'ok') w.resolve();
      else {
        const errno = Number(line.split(' ')[1]);
        const code = Object.keys(os.constants.errno).find((k) => os.constants.errno[k] === errno) ?? 'errno ' + errno;
        w.reject(Object.assign(new Error(code + ': syncfs failed, ' + JSON.stringify(w.path)), { code, errno: -errno, syscall: 'syncfs', path: w.path }));
      }
    }
  });
  const gone = () => {
    syncfsHelper = undefined;
    for (const w of syncfsWaiting.splice(0)) w.reject(helperGone());
  };
  child.on('error', gone);
  child.on('exit', gone);
  child.stdin.on('error', () => {}); // its exit says it
  // an idle helper never keeps evidock running
  child.unref();
  child.stdout.unref?.();
  return child;
}
syncfsHelper = startSyncfsHelper();
function syncfs(p) {
  if (!syncfsHelper) return Promise.reject(helperGone());
  return new Promise((resolve, reject) => {
    syncfsWaiting.push({ resolve, reject, path: p });
    syncfsHelper.stdin.write(Buffer.from(p).toString('hex') + '\\n');
  });
}
// statfs f_type of the filesystems whose syncfs is trusted (see the top of fs-steps.ts).
const SYNCFS_TRUSTED = new Set([0xef53, 0x58465342, 0x9123683e, 0xf2f52010, 0x01021994]);
async function flush(paths, perPath) {
  const unique = [...new Set(paths)];
  if (perPath || !syncfsHelper) return fsyncEach(unique);
  // One path per filesystem (every path must exist: a missing one fails the flush, as an fsync would).
  const byDevice = new Map();
  for (const p of unique) {
    const dev = fs.lstatSync(p).dev;
    const same = byDevice.get(dev);
    same ? same.push(p) : byDevice.set(dev, [p]);
  }
  for (const same of byDevice.values()) {
    if (!SYNCFS_TRUSTED.has(Number(fs.statfsSync(same[0]).type))) {
      await fsyncEach(same);
      continue;
    }
    try {
      await syncfs(same[0]);
    } catch (err) {
      if (!err.helperGone) throw err;
      await fsyncEach(same);
    }
  }
}
async function fsyncEach(queue) {
  const shares = Math.min(FLUSHER_THREADS, queue.length);
  while (flushers.length < shares) flushers.push(startFlusher());
  const results = await Promise.allSettled(
    Array.from({ length: shares }, (_, k) => flushOn(flushers[k], queue.filter((_, i) => i % shares === k))),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
async function run(steps) {
  let madeParents = [];
  for (const s of steps) {
    if (s.op === 'write') {
      const bytes = Buffer.from(s.data, 'utf8');
      const fd = fs.openSync(s.path, 'wx', s.mode);
      try {
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      } finally { fs.closeSync(fd); }
    } else if (s.op === 'chmod') fs.chmodSync(s.path, s.mode);
    else if (s.op === 'mkdirs') {
      const missing = [];
      for (let d = s.path; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
      for (const d of missing) {
        try { fs.mkdirSync(d); } catch (err) { if (err.code !== 'EEXIST') throw err; }
        madeParents.push(path.dirname(d));
      }
    } else if (s.op === 'renameNew') {
      if (fs.existsSync(s.to)) {
        throw Object.assign(new Error('an object already exists at ' + s.to + '; refusing to overwrite'), { code: 'EEXIST', syscall: 'rename', path: s.to });
      }
      fs.renameSync(s.from, s.to);
    } else if (s.op === 'flush') {
      await flush([...madeParents, ...s.paths], s.perPath);
      madeParents = [];
    } else if (s.op === 'removeQuietly') {
      for (const f of s.files) { try { fs.unlinkSync(f); } catch {} }
      try { fs.rmdirSync(s.dir); } catch {}
    } else throw new Error('unknown step ' + s.op);
  }
}
parentPort.on('message', (m) => {
  run(m.steps).then(
    () => parentPort.postMessage({ id: m.id, ok: true }),
    (err) => parentPort.postMessage({ id: m.id, ok: false, error: { message: err.message, code: err.code, errno: err.errno, syscall: err.syscall, path: err.path } }),
  );
});`;

/** The syncfs helper's program: syscall.ph (h2ph, with perl) knows syncfs's number on this system. */
const SYNCFS_PERL = `
use strict;
require 'syscall.ph';
$| = 1;
while (my $line = <STDIN>) {
  chomp $line;
  my $path = pack('H*', $line);
  my $fh;
  if (!sysopen($fh, $path, 0)) { print 'err ', $! + 0, "\\n"; next; }
  my $r = syscall(&SYS_syncfs, fileno($fh));
  my $errno = $! + 0;
  close($fh);
  print $r == 0 ? "ok\\n" : "err $errno\\n";
}
`;

class FsStepsThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { syncfsPerl: SYNCFS_PERL } });
    this.worker.on('message', (r: Reply) => {
      const done = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) this.worker.unref();
      done?.(r);
    });
    this.worker.on('error', (err) => {
      for (const done of this.waiting.values()) done({ id: -1, ok: false, error: { message: `filesystem thread failed: ${err.message}` } });
      this.waiting.clear();
      this.worker.unref();
      thread = undefined;
    });
    // referenced only while steps are out: an idle thread never keeps evidock running
    this.worker.unref();
  }

  run(steps: readonly FsStep[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, (r) => (r.ok ? resolve() : reject(Object.assign(new Error(r.error.message), r.error))));
      this.worker.postMessage({ id, steps });
    });
  }
}

let thread: FsStepsThread | undefined;

/**
 * Starts the filesystem thread and its syncfs helper now. Call it before any card is opened: the
 * exec of a helper forked later closes the card files it inherited, and closing a file of a hung
 * FUSE card waits for its server (the fork waited as long as the card did; see meta/spawner.ts).
 */
export function startFsSteps(): void {
  thread ??= new FsStepsThread();
}

/**
 * Runs `steps` in order on the filesystem thread (started on first use). Resolves when all are
 * done (every 'flush' durable); rejects with the first failure (its code, errno, syscall and path
 * kept), the steps after it not run.
 */
export function runFsSteps(steps: readonly FsStep[]): Promise<void> {
  if (steps.length === 0) return Promise.resolve();
  thread ??= new FsStepsThread();
  return thread.run(steps);
}
