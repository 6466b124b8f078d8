// The audit entry that records a recording being held (file.held), found by evidence number: the
// leaf an inclusion proof for that recording proves.
import type { Db } from './catalog.js';

export function heldEntryOf(db: Db, evidenceNumber: string): { seq: number; entry: string } | undefined {
  return db
    .prepare(`SELECT seq, entry FROM audit_entries WHERE type = 'file.held' AND json_extract(entry, '$.data.evidenceNumber') = ? ORDER BY seq LIMIT 1`)
    .get(evidenceNumber) as { seq: number; entry: string } | undefined;
}
