// What facts/ reads from other rooms' rows to evaluate a held original: the provenance step's
// attribution and recording time, the registry's units and registration times, and which
// originals have no derived facts yet (the catch-up's work list).
import type { Db } from './catalog.js';
import type { OriginalRow } from './records.js';

/** The provenance step's verdict on one original, as facts/ needs it (undefined: no row). */
export interface ProvenanceForFacts {
  officer_id: string | null;
  recorder_id: string | null;
  start_ms: number | null;
  end_ms: number | null;
  start_source: string | null;
  duration_seconds: number | null;
  name_seq: string | null;
  metadata_reason: string | null;
}

export function provenanceForFacts(db: Db, evidenceNumber: string): ProvenanceForFacts | undefined {
  return db
    .prepare('SELECT officer_id, recorder_id, start_ms, end_ms, start_source, duration_seconds, name_seq, metadata_reason FROM provenance WHERE evidence_number = ?')
    .get(evidenceNumber) as ProvenanceForFacts | undefined;
}

/** The unit of an officer, else of a recorder, from the registry (null when neither has one). */
export function registeredUnitOf(db: Db, officer: string | null, recorder: string | null): string | null {
  let unit: string | null = null;
  if (officer) unit = (db.prepare('SELECT unit FROM officers WHERE number = ?').get(officer) as { unit: string | null } | undefined)?.unit ?? null;
  if (!unit && recorder) unit = (db.prepare('SELECT unit FROM recorders WHERE serial = ?').get(recorder) as { unit: string | null } | undefined)?.unit ?? null;
  return unit;
}

/** When a recorder was registered (ISO text), or null when it is not. */
export function recorderRegisteredAt(db: Db, recorder: string): string | null {
  return (db.prepare('SELECT registered_at FROM recorders WHERE serial = ?').get(recorder) as { registered_at: string } | undefined)?.registered_at ?? null;
}

/** Originals without recording times: held by crash recovery, or when the facts step failed. */
export function originalsWithoutFacts(db: Db): OriginalRow[] {
  return db
    .prepare('SELECT o.* FROM originals o WHERE NOT EXISTS (SELECT 1 FROM recording_times r WHERE r.evidence_number = o.evidence_number) ORDER BY o.evidence_number')
    .all() as OriginalRow[];
}
