// Fixity at scale: a quick mode (file count + bytes per object, like BagIt's Payload-Oxum) and a
// full mode (re-hash, store/verify.ts's verifyObject), over the whole store or a selection
// (--since, --object), with N parallel jobs (worker threads, so hashing uses N cores). Every
// object checked is recorded in fixity_checks, which the daemon's rolling verification reads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { CopyBuffers } from '../hash/copy.js';
import type { Db } from './catalog.js';
import { listObjectRoots, listStrayPaths } from './ocfl.js';
import { pendingCommitIntents, type OriginalRow } from './records.js';
import { verifyObject, type ChangedObject, type MissingObject } from './verify.js';

export type FixityMode = 'quick' | 'full';

export interface FixityOptions {
  mode: FixityMode;
  /** Parallel jobs for full mode (default: the number of cores). */
  jobs?: number;
  /** Only objects held at or after this ISO instant. */
  since?: string;
  /** Only these objects (evidence numbers or OCFL object ids). */
  objects?: string[];
  onProgress?: (p: { done: number; total: number; bytesDone: number; bytesTotal: number; evidenceNumber: string }) => void;
  signal?: AbortSignal;
}

export interface FixityReport {
  started: string;
  finished: string;
  mode: FixityMode;
  jobs: number;
  selection: { since?: string; objects?: string[]; whole: boolean };
  checked: number;
  bytes: number;
  seconds: number;
  ok: boolean;
  changed: ChangedObject[];
  missing: MissingObject[];
  untracked: { path: string; problem: string }[];
  notFound: string[];
}

export interface ObjectResult {
  changed: ChangedObject[];
  missing?: MissingObject;
  bytes: number;
}

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return { files, bytes };
}

/** Quick check: the object is there, its inventory intact, its content files counted and sized. */
export function quickCheckObject(storeRoot: string, row: OriginalRow): ObjectResult {
  const root = path.join(storeRoot, row.object_path);
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  if (!existsSync(root)) return { changed: [], missing: { ...base, problem: 'object directory is gone' }, bytes: 0 };
  const changed: ChangedObject[] = [];
  let manifestCount: number | undefined;
  try {
    const text = readFileSync(path.join(root, 'inventory.json'));
    const sidecar = readFileSync(path.join(root, 'inventory.json.sha256'), 'utf8').trim().split(/\s+/)[0];
    const actual = createHash('sha256').update(text).digest('hex');
    if (sidecar !== actual) changed.push({ ...base, file: 'inventory.json', problem: 'inventory does not match its sidecar digest', expected: sidecar, actual });
    const inv = JSON.parse(text.toString('utf8')) as { manifest?: Record<string, string[]> };
    manifestCount = Object.values(inv.manifest ?? {}).reduce((n, paths) => n + paths.length, 0);
  } catch (err) {
    changed.push({ ...base, file: 'inventory.json', problem: `inventory unreadable: ${(err as Error).message}` });
  }
  const content = path.join(root, row.content_path);
  if (!existsSync(content)) return { changed, missing: { ...base, problem: `content file ${row.content_path} is gone` }, bytes: 0 };
  const size = statSync(content).size;
  if (size !== row.size) changed.push({ ...base, file: row.content_path, problem: 'size changed', expected: String(row.size), actual: String(size) });
  const oxum = countFiles(path.join(root, 'v1', 'content'));
  if (manifestCount !== undefined && oxum.files !== manifestCount) {
    changed.push({ ...base, file: 'v1/content', problem: 'file count differs from the inventory', expected: String(manifestCount), actual: String(oxum.files) });
  }
  return { changed, bytes: size };
}

/** Full check: re-hash (verifyObject) plus the count of content files. */
export async function fullCheckObject(storeRoot: string, row: OriginalRow, buffers: CopyBuffers): Promise<ObjectResult> {
  const r = await verifyObject(storeRoot, row, buffers);
  if (!r.missing) {
    const q = quickCheckObject(storeRoot, row);
    for (const c of q.changed) if (c.file === 'v1/content') r.changed.push(c);
  }
  return r;
}

/** Rows selected by --since / --object; names that match nothing are returned apart. */
export function selectOriginals(db: Db, opts: Pick<FixityOptions, 'since' | 'objects'>): { rows: OriginalRow[]; notFound: string[] } {
  const notFound: string[] = [];
  let rows: OriginalRow[];
  if (opts.objects?.length) {
    rows = [];
    const stmt = db.prepare('SELECT * FROM originals WHERE evidence_number = ? OR object_id = ?');
    for (const name of opts.objects) {
      const row = stmt.get(name, name) as OriginalRow | undefined;
      if (row) rows.push(row);
      else notFound.push(name);
    }
  } else {
    rows = db.prepare('SELECT * FROM originals ORDER BY held_at, evidence_number').all() as OriginalRow[];
  }
  if (opts.since) rows = rows.filter((r) => r.held_at >= opts.since!);
  return { rows, notFound };
}

function workerUrl(): URL | undefined {
  const url = new URL('./fixity-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined; // absent when running the TS sources
}

/** Run the checks with `jobs` workers; results come back in any order. */
async function checkAll(storeRoot: string, rows: OriginalRow[], opts: FixityOptions, jobs: number, onResult: (row: OriginalRow, r: ObjectResult) => void): Promise<void> {
  let next = 0;
  const take = (): OriginalRow | undefined => (opts.signal?.aborted ? undefined : rows[next++]);
  if (opts.mode === 'quick') {
    for (let row = take(); row; row = take()) onResult(row, quickCheckObject(storeRoot, row));
    return;
  }
  const url = jobs > 1 ? workerUrl() : undefined;
  if (!url) {
    // In-thread: overlapping reads, hashing on this thread.
    const lanes = Array.from({ length: Math.max(1, jobs) }, async () => {
      const buffers = new CopyBuffers(8 * 1024 * 1024);
      for (let row = take(); row; row = take()) onResult(row, await fullCheckObject(storeRoot, row, buffers));
    });
    await Promise.all(lanes);
    return;
  }
  const lanes = Array.from({ length: jobs }, () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(url, { workerData: { storeRoot } });
      let current: OriginalRow | undefined;
      const feed = () => {
        current = take();
        if (current) worker.postMessage(current);
        else void worker.terminate().then(() => resolve());
      };
      worker.on('message', (r: ObjectResult) => {
        onResult(current!, r);
        feed();
      });
      worker.on('error', reject);
      worker.on('online', feed);
    }),
  );
  await Promise.all(lanes);
}

export async function runFixity(db: Db, storeRoot: string, opts: FixityOptions): Promise<FixityReport> {
  const t0 = process.hrtime.bigint();
  const started = new Date().toISOString();
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const whole = !opts.since && !opts.objects?.length;
  const { rows, notFound } = selectOriginals(db, opts);
  const report: FixityReport = {
    started, finished: '', mode: opts.mode, jobs, selection: { since: opts.since, objects: opts.objects, whole },
    checked: 0, bytes: 0, seconds: 0, ok: true, changed: [], missing: [], untracked: [], notFound,
  };
  const bytesTotal = rows.reduce((n, r) => n + r.size, 0);
  const checks: [string, string, number, string][] = [];
  await checkAll(storeRoot, rows, opts, jobs, (row, r) => {
    report.changed.push(...r.changed);
    if (r.missing) report.missing.push(r.missing);
    report.bytes += r.bytes;
    report.checked++;
    checks.push([row.evidence_number, opts.mode, r.changed.length === 0 && !r.missing ? 1 : 0, new Date().toISOString()]);
    opts.onProgress?.({ done: report.checked, total: rows.length, bytesDone: report.bytes, bytesTotal, evidenceNumber: row.evidence_number });
  });
  if (whole) {
    const known = new Set<string>(pendingCommitIntents(db).map((i) => path.join(storeRoot, i.object_path)));
    for (const r of db.prepare('SELECT object_path FROM originals').pluck().all() as string[]) known.add(path.join(storeRoot, r));
    for (const objectRoot of listObjectRoots(storeRoot)) {
      if (!known.has(objectRoot)) report.untracked.push({ path: path.relative(storeRoot, objectRoot), problem: 'object not in the catalog' });
    }
    for (const stray of listStrayPaths(storeRoot)) report.untracked.push({ path: path.relative(storeRoot, stray), problem: 'not an OCFL object' });
  }
  recordFixityChecks(db, checks);
  report.finished = new Date().toISOString();
  report.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  report.ok = report.changed.length === 0 && report.missing.length === 0 && report.untracked.length === 0 && notFound.length === 0;
  return report;
}

export function recordFixityChecks(db: Db, checks: [string, string, number, string][]): void {
  if (!checks.length) return;
  const has = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'fixity_checks'`).get();
  if (!has) return;
  const ins = db.prepare('INSERT INTO fixity_checks (evidence_number, mode, ok, checked_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const c of checks) ins.run(...c);
  })();
}

// ---------------------------------------------------------------------------------------------
// Rolling verification (daemon): one object at a time, rate-limited, paused while ingest runs.

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

/** Originals whose last full check (or holding, if never checked) is older than `olderThan`. */
export function dueForReverify(db: Db, olderThan: string, limit = 100): OriginalRow[] {
  return db
    .prepare(
      `SELECT o.* FROM originals o
       LEFT JOIN (SELECT evidence_number, MAX(checked_at) AS last FROM fixity_checks WHERE mode = 'full' GROUP BY evidence_number) f
         ON f.evidence_number = o.evidence_number
       WHERE COALESCE(f.last, o.held_at) < ?
       ORDER BY COALESCE(f.last, o.held_at) LIMIT ?`,
    )
    .all(olderThan, limit) as OriginalRow[];
}

/** Re-hash one object's content at no more than `bytesPerSecond`, waiting while `busy()`. */
export async function throttledFullCheck(
  storeRoot: string,
  row: OriginalRow,
  opts: { bytesPerSecond: number; busy: () => boolean; signal?: AbortSignal },
): Promise<ObjectResult | undefined> {
  const quick = quickCheckObject(storeRoot, row);
  if (quick.missing || quick.changed.length) return quick;
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  const fh = await open(path.join(storeRoot, row.object_path, row.content_path), 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    const h = createHash('sha256');
    let pos = 0;
    const t0 = Date.now();
    for (;;) {
      while (opts.busy() && !opts.signal?.aborted) await sleep(1000, opts.signal);
      if (opts.signal?.aborted) return undefined;
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
      if (opts.bytesPerSecond > 0) {
        const ahead = (pos / opts.bytesPerSecond) * 1000 - (Date.now() - t0);
        if (ahead > 0) await sleep(ahead, opts.signal);
      }
    }
    const digest = h.digest('hex');
    const changed: ChangedObject[] = [];
    if (digest !== row.sha256) changed.push({ ...base, file: row.content_path, problem: 'content digest changed', expected: row.sha256, actual: digest });
    return { changed, bytes: pos };
  } finally {
    await fh.close();
  }
}
