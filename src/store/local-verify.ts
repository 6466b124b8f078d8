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
import { listObjectRoots, listStrayPaths, OCFL_OBJECT_DECLARATION, PROVENANCE_FILE } from './ocfl.js';
import { parseProvenanceFile } from './provenance-file.js';
import type { ChangedObject, CheckOptions, ObjectCheck, RecheckOptions, UntrackedEntry } from './originals.js';
import type { OriginalRow } from './records.js';


const OBJECT_ROOT_ENTRIES = [OCFL_OBJECT_DECLARATION, 'inventory.json', 'inventory.json.sha256', 'v1'];
const VERSION_ENTRIES = ['inventory.json', 'inventory.json.sha256', 'content'];

/** Every name under a folder, files and folders, relative to it ('a', 'a/b'). */
function namesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...namesUnder(path.join(dir, e.name), rel + '/'));
  }
  return out;
}

const show = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));

/**
 * Every file of one object except the recording's bytes, against the catalog row: the object
 * root and v1/ hold exactly what a held object holds (no extra file), the declaration, both
 * inventories with their sidecars (and the same text), the inventory's id, created time and
 * manifest, and provenance.json (its digest in the inventory and what it says of the original).
 */
function checkObjectFiles(root: string, row: OriginalRow): { changed: ChangedObject[]; provenanceSha256?: string } {
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  const changed: ChangedObject[] = [];
  const change = (file: string, problem: string, expected?: unknown, actual?: unknown) =>
    changed.push({ ...base, file, problem, ...(expected !== undefined || actual !== undefined ? { expected: show(expected), actual: show(actual) } : {}) });
  const expectEntries = (dir: string, rel: string, expected: string[]) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      change(rel || '.', `unreadable: ${(err as Error).message}`);
      return;
    }
    for (const n of names) if (!expected.includes(n)) change(rel + n, `extra file ${rel ? `in ${rel}` : 'at the object root'}: a held object has no such file`);
    for (const n of expected) if (!names.includes(n)) change(rel + n, 'missing from the object');
  };
  expectEntries(root, '', OBJECT_ROOT_ENTRIES);
  expectEntries(path.join(root, 'v1'), 'v1/', VERSION_ENTRIES);
  try {
    const decl = readFileSync(path.join(root, OCFL_OBJECT_DECLARATION), 'utf8');
    if (decl !== 'ocfl_object_1.1\n') change(OCFL_OBJECT_DECLARATION, 'object declaration changed');
  } catch {
    /* reported missing above */
  }
  const inventoryTexts: (Buffer | undefined)[] = [];
  for (const rel of ['', 'v1/']) {
    try {
      const text = readFileSync(path.join(root, rel, 'inventory.json'));
      inventoryTexts.push(text);
      const sidecar = readFileSync(path.join(root, rel, 'inventory.json.sha256'), 'utf8').trim().split(/\s+/)[0];
      const actual = createHash('sha256').update(text).digest('hex');
      if (sidecar !== actual) changed.push({ ...base, file: `${rel}inventory.json`, problem: 'inventory does not match its sidecar digest', expected: sidecar, actual });
    } catch (err) {
      inventoryTexts.push(undefined);
      change(`${rel}inventory.json`, `inventory unreadable: ${(err as Error).message}`);
    }
  }
  const [rootText, versionText] = inventoryTexts;
  if (rootText && versionText && !rootText.equals(versionText)) change('v1/inventory.json', 'version inventory differs from the root inventory (an object with only v1 has one inventory)');
  let inventory: any;
  try {
    inventory = rootText ? JSON.parse(rootText.toString('utf8')) : undefined;
  } catch (err) {
    change('inventory.json', `inventory unreadable: ${(err as Error).message}`);
  }
  const provPath = `v1/content/${PROVENANCE_FILE}`;
  let provDigest: string | undefined;
  if (inventory) {
    if (inventory.id !== row.object_id) change('inventory.json', 'inventory names another object', row.object_id, inventory.id);
    if (inventory.head !== 'v1') change('inventory.json', 'inventory head is not v1', 'v1', inventory.head);
    const created = inventory.versions?.v1?.created;
    if (created !== row.held_at) change('inventory.json', 'inventory created time differs from the time the original was held', row.held_at, created);
    const manifest = (inventory.manifest ?? {}) as Record<string, string[]>;
    const listed = Object.entries(manifest).flatMap(([digest, paths]) => paths.map((p) => [p, digest] as const));
    const contentDigest = listed.find(([p]) => p === row.content_path)?.[1];
    if (contentDigest === undefined) change(row.content_path, 'content file not in the inventory manifest');
    else if (contentDigest !== row.sha256) changed.push({ ...base, file: row.content_path, problem: 'inventory digest differs from the catalog', expected: row.sha256, actual: contentDigest });
    provDigest = listed.find(([p]) => p === provPath)?.[1];
    for (const [p] of listed) if (p !== row.content_path && p !== provPath) change(p, 'inventory lists a file a held object does not have');
    const state = (inventory.versions?.v1?.state ?? {}) as Record<string, string[]>;
    const stateListed = Object.entries(state).flatMap(([digest, paths]) => paths.map((p) => `${digest} v1/content/${p}`)).sort();
    const manifestListed = listed.map(([p, d]) => `${d} ${p}`).sort();
    if (stateListed.join('\n') !== manifestListed.join('\n')) change('inventory.json', 'inventory version state differs from its manifest');
  }
  const contentDir = path.join(root, 'v1', 'content');
  if (existsSync(contentDir)) {
    for (const name of namesUnder(contentDir)) {
      const rel = `v1/content/${name}`;
      if (rel !== row.content_path && rel !== provPath) change(rel, 'file in v1/content not in the inventory');
    }
  }
  let provenanceSha256: string | undefined;
  let text: Buffer | undefined;
  try {
    text = readFileSync(path.join(root, provPath));
  } catch {
    change(provPath, 'provenance missing');
  }
  if (text) {
    provenanceSha256 = createHash('sha256').update(text).digest('hex');
    if (provDigest !== undefined && provenanceSha256 !== provDigest) change(provPath, 'provenance changed', provDigest, provenanceSha256);
    try {
      const doc = parseProvenanceFile(text.toString('utf8'));
      const says: [string, unknown, unknown][] = [
        ['evidenceNumber', doc.evidenceNumber, row.evidence_number],
        ['objectId', doc.objectId, row.object_id],
        ['digests.sha256', doc.digests.sha256, row.sha256],
        ['digests.sm3', doc.digests.sm3, row.sm3],
        ['content.size', doc.content.size, row.size],
        ['content.path', doc.content.path, row.content_path],
        ['heldAt', doc.heldAt, row.held_at],
        ['session', doc.session, row.session_id],
        ['recorder.id', doc.recorder.id, row.recorder_id],
        ['officer.id', doc.officer.id, row.officer_id],
        ['source.path', doc.source.path, row.source_path],
      ];
      for (const [member, inFile, inRow] of says) if (show(inFile) !== show(inRow)) change(provPath, `provenance.json ${member} differs from the catalog`, inRow, inFile);
    } catch (err) {
      change(provPath, `provenance unreadable: ${(err as Error).message}`);
    }
  }
  return { changed, provenanceSha256 };
}

/** Quick check: every file of the object but the recording's bytes, and the recording's size. */
/**
 * What quick and full checks share: the object's files other than the recording checked, and the
 * recording's path; or the finished result when the object or its recording is gone.
 */
function beginObjectCheck(storeRoot: string, row: OriginalRow): ObjectCheck | { base: { evidenceNumber: string; objectPath: string }; changed: ChangedObject[]; provenanceSha256?: string; content: string } {
  const root = path.join(storeRoot, row.object_path);
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  if (!existsSync(root)) return { changed: [], missing: { ...base, problem: 'object directory is gone' }, bytes: 0 };
  const { changed, provenanceSha256 } = checkObjectFiles(root, row);
  const content = path.join(root, row.content_path);
  if (!existsSync(content)) return { changed, missing: { ...base, problem: `content file ${row.content_path} is gone` }, bytes: 0, provenanceSha256 };
  return { base, changed, provenanceSha256, content };
}

export function quickCheckObject(storeRoot: string, row: OriginalRow): ObjectCheck {
  const begun = beginObjectCheck(storeRoot, row);
  if (!('content' in begun)) return begun;
  const { base, changed, provenanceSha256, content } = begun;
  const size = statSync(content).size;
  if (size !== row.size) changed.push({ ...base, file: row.content_path, problem: 'size changed', expected: String(row.size), actual: String(size) });
  return { changed, bytes: size, provenanceSha256 };
}

/** Full check: every file of the object, the recording re-hashed. */
export async function fullCheckObject(storeRoot: string, row: OriginalRow, buffers: CopyBuffers): Promise<ObjectCheck> {
  const begun = beginObjectCheck(storeRoot, row);
  if (!('content' in begun)) return begun;
  const { base, changed, provenanceSha256, content } = begun;
  let bytes = 0;
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
  return { changed, bytes, provenanceSha256 };
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
