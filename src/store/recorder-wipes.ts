// The catalog's record of files verify-then-wipe deleted from a recorder (table recorder_wipes,
// append-only). The writer runs inside the caller's transaction, beside its audit entry.
import type { Db } from './catalog.js';

export interface RecorderWipeRow {
  session_id: string;
  recorder_id: string | null;
  slot: string | null;
  source_path: string;
  source_path_raw: Buffer;
  size: number;
  sha256: string;
  evidence_number: string;
  wiped_at: string;
}

/** One file deleted from a recorder after its held original was verified. */
export function insertRecorderWipe(db: Db, row: RecorderWipeRow): void {
  db.prepare(
    `INSERT INTO recorder_wipes (session_id, recorder_id, slot, source_path, source_path_raw, size, sha256, evidence_number, wiped_at)
     VALUES (@session_id, @recorder_id, @slot, @source_path, @source_path_raw, @size, @sha256, @evidence_number, @wiped_at)`,
  ).run(row);
}
