// What the log says was held: each original's file.held entry (the first for its evidence
// number), which the signed tree covers. verify compares every held original with it.
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface LoggedHold {
  seq: number;
  evidenceNumber: string;
  objectId: unknown;
  sha256: unknown;
  sm3: unknown;
  size: unknown;
  heldAt: unknown;
  session: unknown;
  sourcePath: unknown;
  recorder: unknown;
  officer: unknown;
  /** SHA-256 of provenance.json as held (entries written since this member exists). */
  provenanceSha256?: unknown;
}

/** Every file.held entry of the log, by evidence number (the first one when there are more). */
export function loggedHolds(db: Db): Map<string, LoggedHold> {
  const out = new Map<string, LoggedHold>();
  const rows = db.prepare(`SELECT seq, entry FROM audit_entries WHERE type = 'file.held' ORDER BY seq`).iterate() as Iterable<{ seq: number; entry: string }>;
  for (const r of rows) {
    const d = (JSON.parse(r.entry) as { data?: Record<string, unknown> }).data ?? {};
    const evidenceNumber = typeof d.evidenceNumber === 'string' ? d.evidenceNumber : undefined;
    if (!evidenceNumber || out.has(evidenceNumber)) continue;
    out.set(evidenceNumber, {
      seq: r.seq, evidenceNumber, objectId: d.objectId, sha256: d.sha256, sm3: d.sm3, size: d.size, heldAt: d.heldAt,
      session: d.session, sourcePath: d.sourcePath, recorder: d.recorder, officer: d.officer, provenanceSha256: d.provenanceSha256,
    });
  }
  return out;
}
