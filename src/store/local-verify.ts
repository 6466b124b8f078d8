// The local backend's object checks: quick (presence, inventory, file count and size), full
// (re-hash), rate-limited (the daemon's rolling verification), with N worker threads; and the
// storage root's entries that are no held object. Only the local door (local-originals.ts) calls it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CopyBuffers, hashFile } from '../hash/copy.js';
import { listObjectRoots, listStrayPaths, PROVENANCE_FILE } from './ocfl.js';
import type { ChangedObject, CheckOptions, ObjectCheck, RecheckOptions, UntrackedEntry } from './originals.js';
import type { OriginalRow } from './records.js';

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Check one held object against the catalog row. Returns the problems found (empty = intact). */
export async function verifyObject(storeRoot: string, row: OriginalRow, buffers: CopyBuffers): Promise<ObjectCheck> {
  const root = path.join(storeRoot, row.object_path);
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  if (!existsSync(root)) return { changed: [], missing: { ...base, problem: 'object directory is gone' }, bytes: 0 };
  const changed: ChangedObject[] = [];
  const content = path.join(root, row.content_path);
  let inventory: any;
  try {
    const text = readFileSync(path.join(root, 'inventory.json'));
    inventory = JSON.parse(text.toString('utf8'));
    const sidecar = readFileSync(path.join(root, 'inventory.json.sha256'), 'utf8').trim().split(/\s+/)[0];
    const actual = createHash('sha256').update(text).digest('hex');
    if (sidecar !== actual) changed.push({ ...base, file: 'inventory.json', problem: 'inventory does not match its sidecar digest', expected: sidecar, actual });
  } catch (err) {
    changed.push({ ...base, file: 'inventory.json', problem: `inventory unreadable: ${(err as Error).message}` });
  }
  if (inventory && inventory.id !== row.object_id) {
    changed.push({ ...base, file: 'inventory.json', problem: 'inventory names another object', expected: row.object_id, actual: String(inventory.id) });
  }
  if (inventory?.manifest) {
    const listed = Object.entries(inventory.manifest as Record<string, string[]>).find(([, paths]) => paths.includes(row.content_path));
    if (!listed) changed.push({ ...base, file: row.content_path, problem: 'content file not in the inventory manifest' });
    else if (listed[0] !== row.sha256) changed.push({ ...base, file: row.content_path, problem: 'inventory digest differs from the catalog', expected: row.sha256, actual: listed[0] });
    const prov = `v1/content/${PROVENANCE_FILE}`;
    const provDigest = Object.entries(inventory.manifest as Record<string, string[]>).find(([, paths]) => paths.includes(prov))?.[0];
    if (provDigest && existsSync(path.join(root, prov))) {
      const actual = sha256File(path.join(root, prov));
      if (actual !== provDigest) changed.push({ ...base, file: prov, problem: 'provenance changed', expected: provDigest, actual });
    } else changed.push({ ...base, file: prov, problem: 'provenance missing' });
  }
  let bytes = 0;
  if (!existsSync(content)) {
    return { changed, missing: { ...base, problem: `content file ${row.content_path} is gone` }, bytes };
  }
  try {
    const result = await hashFile(content, ['sha256'], buffers);
    bytes = result.bytes;
    if (result.digests.sha256 !== row.sha256) {
      changed.push({ ...base, file: row.content_path, problem: 'content digest changed', expected: row.sha256, actual: result.digests.sha256 });
    }
    if (result.bytes !== row.size) changed.push({ ...base, file: row.content_path, problem: 'size changed', expected: String(row.size), actual: String(result.bytes) });
  } catch (err) {
    changed.push({ ...base, file: row.content_path, problem: `unreadable: ${(err as Error).message}` });
  }
  return { changed, bytes };
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
export function quickCheckObject(storeRoot: string, row: OriginalRow): ObjectCheck {
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
export async function fullCheckObject(storeRoot: string, row: OriginalRow, buffers: CopyBuffers): Promise<ObjectCheck> {
  const r = await verifyObject(storeRoot, row, buffers);
  if (!r.missing) {
    const q = quickCheckObject(storeRoot, row);
    for (const c of q.changed) if (c.file === 'v1/content') r.changed.push(c);
  }
  return r;
}

function workerUrl(): URL | undefined {
  const url = new URL('./fixity-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined; // absent when running the TS sources
}

/** Run the checks with `jobs` workers; results come back in any order. */
export async function checkLocalObjects(storeRoot: string, rows: readonly OriginalRow[], opts: CheckOptions, onResult: (row: OriginalRow, r: ObjectCheck) => void): Promise<void> {
  const jobs = Math.max(1, opts.jobs);
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
      worker.on('message', (r: ObjectCheck) => {
        onResult(current!, r);
        feed();
      });
      worker.on('error', reject);
      worker.on('online', feed);
    }),
  );
  await Promise.all(lanes);
}


/** Entries of the storage root that are not among the `tracked` object paths (held or in flight). */
export function* untrackedLocalEntries(storeRoot: string, tracked: ReadonlySet<string>): Generator<UntrackedEntry> {
  for (const objectRoot of listObjectRoots(storeRoot)) {
    const rel = path.relative(storeRoot, objectRoot);
    if (!tracked.has(rel)) yield { path: rel, problem: 'object not in the catalog' };
  }
  for (const stray of listStrayPaths(storeRoot)) yield { path: path.relative(storeRoot, stray), problem: 'not an OCFL object' };
}

// Rolling verification (daemon): one object at a time, rate-limited, paused while ingest runs.

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

/** Re-hash one object's content at no more than `bytesPerSecond`, waiting while `busy()`. */
export async function throttledFullCheck(
  storeRoot: string,
  row: OriginalRow,
  opts: RecheckOptions,
): Promise<ObjectCheck | undefined> {
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
