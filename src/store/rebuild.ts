// Rebuild the catalog's originals from the store alone: each object's provenance.json carries
// everything its catalog row holds. Used by `evidock catalog rebuild` and `catalog check`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './catalog.js';
import { listObjectRoots, objectPathFor, readInventory, PROVENANCE_FILE } from './ocfl.js';
import { insertProvenance, provenanceRowFromDerived, type ProvenanceRow } from './provenance.js';
import type { OriginalRow } from './records.js';

export interface StoreScan {
  originals: OriginalRow[];
  /** Provenance rows (attribution, recording times, media facts) from provenance.json "derived". */
  provenance: ProvenanceRow[];
  problems: { path: string; problem: string }[];
}

interface Provenance {
  evidenceNumber: string;
  objectId: string;
  recorder?: { id?: string | null };
  officer?: { id?: string | null };
  source: { path: string; pathBase64: string; fileName: string; size: number; mtimeMs: number | null };
  content: { path: string; size: number };
  digests: { sha256: string; sm3?: string | null };
  heldAt: string;
  session: string;
  derived?: unknown;
}

/** Read every object's provenance.json into catalog rows. */
export function scanStore(storeRoot: string): StoreScan {
  const originals: OriginalRow[] = [];
  const provenance: ProvenanceRow[] = [];
  const problems: StoreScan['problems'] = [];
  for (const root of listObjectRoots(storeRoot)) {
    const rel = path.relative(storeRoot, root);
    try {
      const inv = readInventory(root) as { id?: string };
      const p = JSON.parse(readFileSync(path.join(root, 'v1', 'content', PROVENANCE_FILE), 'utf8')) as Provenance;
      if (inv.id !== p.objectId) problems.push({ path: rel, problem: `inventory id ${inv.id} differs from provenance objectId ${p.objectId}` });
      if (objectPathFor(p.objectId) !== rel) problems.push({ path: rel, problem: 'object is not where the storage layout puts its id' });
      originals.push({
        evidence_number: p.evidenceNumber,
        object_id: p.objectId,
        object_path: rel,
        content_path: p.content.path,
        file_name: p.source.fileName,
        sha256: p.digests.sha256,
        sm3: p.digests.sm3 ?? null,
        size: p.content.size,
        recorder_id: p.recorder?.id ?? null,
        officer_id: p.officer?.id ?? null,
        source_path: p.source.path,
        source_path_raw: Buffer.from(p.source.pathBase64, 'base64'),
        source_mtime_ms: p.source.mtimeMs ?? null,
        session_id: p.session,
        held_at: p.heldAt,
      });
      const derived = provenanceRowFromDerived(p.evidenceNumber, p.derived, p.heldAt);
      if (derived) provenance.push(derived);
    } catch (err) {
      problems.push({ path: rel, problem: `provenance unreadable: ${(err as Error).message}` });
    }
  }
  originals.sort((a, b) => (a.held_at < b.held_at ? -1 : a.held_at > b.held_at ? 1 : a.evidence_number < b.evidence_number ? -1 : 1));
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
