// The S3 version ids a held original's files were held as: written with the hold, read back by
// verify and legal holds. Where the catalog has none (a catalog rebuilt from the bucket, an
// original held before version ids were kept), the file.held entry in the log is asked; where
// that has none either, the caller falls back to the first version under the key.
import type { Db } from './catalog.js';
import { heldEntryOf } from './held-entries.js';

/** Version id by the file's path in the object ("v1/content/x.MP4", "inventory.json", ...). */
export type HeldVersions = Record<string, string>;

export function recordHeldVersions(db: Db, evidenceNumber: string, versions: HeldVersions): void {
  const insert = db.prepare('INSERT INTO s3_held_versions (evidence_number, file, version_id) VALUES (?, ?, ?)');
  for (const [file, versionId] of Object.entries(versions)) insert.run(evidenceNumber, file, versionId);
}

export function heldVersionsOf(db: Db, evidenceNumber: string): HeldVersions | undefined {
  const rows = db.prepare('SELECT file, version_id FROM s3_held_versions WHERE evidence_number = ?').all(evidenceNumber) as { file: string; version_id: string }[];
  if (rows.length) return Object.fromEntries(rows.map((r) => [r.file, r.version_id]));
  const logged = heldEntryOf(db, evidenceNumber);
  if (!logged) return undefined;
  const fromLog = (JSON.parse(logged.entry) as { data?: { s3Versions?: unknown } }).data?.s3Versions;
  if (!fromLog || typeof fromLog !== 'object') return undefined;
  const out: HeldVersions = {};
  for (const [file, id] of Object.entries(fromLog as Record<string, unknown>)) if (typeof id === 'string') out[file] = id;
  return Object.keys(out).length ? out : undefined;
}
