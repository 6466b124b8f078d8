// Fixity: re-hash every held original and compare with the catalog and the object's own
// inventory; find objects the catalog does not know. Reports in the shape Archivematica's
// fixity checker uses: changed[], missing[], untracked[].
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CopyBuffers, hashFile } from '../hash/copy.js';
import type { Db } from './catalog.js';
import { listObjectRoots, listStrayPaths, PROVENANCE_FILE } from './ocfl.js';
import { listOriginals, pendingCommitIntents, type OriginalRow } from './records.js';

export interface ChangedObject {
  evidenceNumber: string;
  objectPath: string;
  file: string;
  problem: string;
  expected?: string;
  actual?: string;
}

export interface MissingObject {
  evidenceNumber: string;
  objectPath: string;
  problem: string;
}

export interface VerifyReport {
  started: string;
  finished: string;
  mode: 'full';
  checked: number;
  bytes: number;
  ok: boolean;
  changed: ChangedObject[];
  missing: MissingObject[];
  untracked: { path: string; problem: string }[];
}

export interface VerifyOptions {
  onObject?: (done: number, total: number, evidenceNumber: string) => void;
  signal?: AbortSignal;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Check one held object against the catalog row. Returns the problems found (empty = intact). */
export async function verifyObject(storeRoot: string, row: OriginalRow, buffers: CopyBuffers): Promise<{ changed: ChangedObject[]; missing?: MissingObject; bytes: number }> {
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

export async function verifyStore(db: Db, storeRoot: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const started = new Date().toISOString();
  const rows = [...listOriginals(db)];
  const buffers = new CopyBuffers(8 * 1024 * 1024);
  const report: VerifyReport = { started, finished: '', mode: 'full', checked: 0, bytes: 0, ok: true, changed: [], missing: [], untracked: [] };
  // Objects of commits in flight (the daemon may be ingesting right now) are not strays.
  const known = new Set<string>(pendingCommitIntents(db).map((i) => path.join(storeRoot, i.object_path)));
  for (const row of rows) {
    if (opts.signal?.aborted) break;
    known.add(path.join(storeRoot, row.object_path));
    const r = await verifyObject(storeRoot, row, buffers);
    report.changed.push(...r.changed);
    if (r.missing) report.missing.push(r.missing);
    report.bytes += r.bytes;
    report.checked++;
    opts.onObject?.(report.checked, rows.length, row.evidence_number);
  }
  for (const objectRoot of listObjectRoots(storeRoot)) {
    if (!known.has(objectRoot)) report.untracked.push({ path: path.relative(storeRoot, objectRoot), problem: 'object not in the catalog' });
  }
  for (const stray of listStrayPaths(storeRoot)) {
    report.untracked.push({ path: path.relative(storeRoot, stray), problem: 'not an OCFL object' });
  }
  report.finished = new Date().toISOString();
  report.ok = report.changed.length === 0 && report.missing.length === 0 && report.untracked.length === 0;
  return report;
}
