// Rebuild the catalog's originals from the store alone: each object's provenance.json carries
// everything its catalog row holds. Used by `evidock catalog rebuild` and `catalog check`, on any
// backend (the objects come through the store's door).
import type { Db } from './catalog.js';
import { objectPathFor } from './ocfl.js';
import type { OriginalsStore } from './originals.js';
import { originalRowOf, provenanceRowOf } from './provenance-file.js';
import { insertProvenance, type ProvenanceRow } from './provenance.js';
import type { OriginalRow } from './records.js';

export interface StoreScan {
  originals: OriginalRow[];
  /** Provenance rows (attribution, recording times, media facts) from provenance.json "derived". */
  provenance: ProvenanceRow[];
  problems: { path: string; problem: string }[];
}

/** Read every object's provenance.json into catalog rows; onProgress hears how many so far (for a progress bar). */
export async function scanStore(store: Pick<OriginalsStore, 'list' | 'countObjects'>, onProgress?: (done: number, total: number) => void): Promise<StoreScan> {
  const originals: OriginalRow[] = [];
  const provenance: ProvenanceRow[] = [];
  const problems: StoreScan['problems'] = [];
  const total = onProgress ? await store.countObjects() : 0;
  let done = 0;
  for await (const obj of store.list()) {
    if (done++ % 100 === 0) onProgress?.(done - 1, total);
    const rel = obj.objectPath;
    const p = obj.provenance;
    if (!p) {
      problems.push({ path: rel, problem: obj.problem ?? 'provenance unreadable' });
      continue;
    }
    if (obj.objectId !== p.objectId) problems.push({ path: rel, problem: `inventory id ${obj.objectId} differs from provenance objectId ${p.objectId}` });
    if (objectPathFor(p.objectId) !== rel) problems.push({ path: rel, problem: 'object is not where the storage layout puts its id' });
    originals.push(originalRowOf(p, rel));
    const derived = provenanceRowOf(p);
    if (derived) provenance.push(derived);
  }
  originals.sort((a, b) => (a.held_at < b.held_at ? -1 : a.held_at > b.held_at ? 1 : a.evidence_number < b.evidence_number ? -1 : 1));
  onProgress?.(done, done);
  return { originals, provenance, problems };
}

/** Insert scanned originals (and a minimal session row for each session they name). */
export function insertScannedOriginals(db: Db, originals: OriginalRow[], provenance: ProvenanceRow[] = []): void {
  const sessions = new Map<string, { recorder: string | null; first: string; last: string }>();
  for (const o of originals) {
    const s = sessions.get(o.session_id);
    if (!s) sessions.set(o.session_id, { recorder: o.recorder_id, first: o.held_at, last: o.held_at });
    else {
      if (o.held_at < s.first) s.first = o.held_at;
      if (o.held_at > s.last) s.last = o.held_at;
    }
  }
  const insSession = db.prepare(
    `INSERT OR IGNORE INTO sessions (id, recorder_id, source, slot, started_at, ended_at, status, summary) VALUES (?, ?, 'rebuilt from the store', NULL, ?, ?, 'rebuilt', NULL)`,
  );
  const insOriginal = db.prepare(
    `INSERT INTO originals (evidence_number, object_id, object_path, content_path, file_name, sha256, sm3, size,
       recorder_id, officer_id, source_path, source_path_raw, source_mtime_ms, session_id, held_at)
     VALUES (@evidence_number, @object_id, @object_path, @content_path, @file_name, @sha256, @sm3, @size,
       @recorder_id, @officer_id, @source_path, @source_path_raw, @source_mtime_ms, @session_id, @held_at)`,
  );
  db.transaction(() => {
    for (const [id, s] of sessions) insSession.run(id, s.recorder, s.first, s.last);
    for (const o of originals) insOriginal.run(o);
    for (const p of provenance) insertProvenance(db, p);
  })();
}

export const ORIGINAL_COLUMNS: (keyof OriginalRow)[] = [
  'object_id', 'object_path', 'content_path', 'file_name', 'sha256', 'sm3', 'size', 'recorder_id', 'officer_id',
  'source_path', 'source_path_raw', 'source_mtime_ms', 'session_id', 'held_at',
];

export interface RowDifference {
  evidenceNumber: string;
  problem: string;
  column?: string;
  catalog?: string;
  rebuilt?: string;
}

function show(v: unknown): string {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `base64:${Buffer.from(v).toString('base64')}`;
  return v === null || v === undefined ? 'null' : String(v);
}

/** Compare live originals with the rows rebuilt from the store. */
export function compareOriginals(live: OriginalRow[], rebuilt: OriginalRow[]): RowDifference[] {
  const diffs: RowDifference[] = [];
  const byNumber = new Map(rebuilt.map((r) => [r.evidence_number, r]));
  const seen = new Set<string>();
  for (const l of live) {
    seen.add(l.evidence_number);
    const r = byNumber.get(l.evidence_number);
    if (!r) {
      diffs.push({ evidenceNumber: l.evidence_number, problem: 'in the catalog but no object in the store has it' });
      continue;
    }
    for (const c of ORIGINAL_COLUMNS) {
      if (show(l[c]) !== show(r[c])) diffs.push({ evidenceNumber: l.evidence_number, problem: 'catalog row differs from the object provenance', column: c, catalog: show(l[c]), rebuilt: show(r[c]) });
    }
  }
  for (const r of rebuilt) if (!seen.has(r.evidence_number)) diffs.push({ evidenceNumber: r.evidence_number, problem: 'object in the store but not in the catalog' });
  return diffs;
}
