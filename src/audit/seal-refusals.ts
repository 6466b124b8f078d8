// What the log says about sealing refusals: whether the notary's refusal of an original for a
// reason is already recorded (a refusal is logged once per original and reason, not at every
// pass), and how many originals stand refused (refused, never sealed since).
import type Database from 'better-sqlite3';

type Db = Database.Database;

export function sealRefusalLogged(db: Db, evidenceNumber: string, reason: string): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM audit_entries WHERE type = 'notary.seal-refused' AND json_extract(entry, '$.data.evidenceNumber') = ? AND json_extract(entry, '$.data.reason') = ? LIMIT 1`,
      )
      .get(evidenceNumber, reason) !== undefined
  );
}

/** Originals the notary refused to seal and that no later `original.sealed` entry covers. */
export function originalsRefusedSealing(db: Db): number {
  return (
    db
      .prepare(
        `SELECT count(DISTINCT json_extract(r.entry, '$.data.evidenceNumber')) AS n FROM audit_entries r
         WHERE r.type = 'notary.seal-refused' AND NOT EXISTS (
           SELECT 1 FROM audit_entries s WHERE s.type = 'original.sealed' AND s.seq > r.seq
             AND json_extract(s.entry, '$.data.evidenceNumber') = json_extract(r.entry, '$.data.evidenceNumber'))`,
      )
      .get() as { n: number }
  ).n;
}
