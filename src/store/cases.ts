// SQL of Art. 11 case files: the case, the recordings in it, its filing. Writers run inside the
// caller's transaction (the cases room pairs each row with its audit entry).
import type { Db } from './catalog.js';

export interface CaseRow {
  ref: string;
  title: string | null;
  action_ended: string;
  due: string;
  officers: string;
  opened_at: string;
  opened_by: string;
}

export interface CaseRecordingRow {
  id: number;
  case_ref: string;
  evidence_number: string;
  proves: string | null;
  added_at: string;
  added_by: string;
}

export interface CaseClosureRow {
  case_ref: string;
  closed_at: string;
  closed_by: string;
  note: string | null;
}

/** A case with its filing, when filed, and how many recordings it holds. */
export interface CaseSummaryRow extends CaseRow {
  closed_at: string | null;
  closed_by: string | null;
  recordings: number;
}

export function findCase(db: Db, ref: string): CaseRow | undefined {
  return db.prepare('SELECT * FROM cases WHERE ref = ?').get(ref) as CaseRow | undefined;
}

export function insertCase(db: Db, row: CaseRow): void {
  db.prepare(
    'INSERT INTO cases (ref, title, action_ended, due, officers, opened_at, opened_by) VALUES (@ref, @title, @action_ended, @due, @officers, @opened_at, @opened_by)',
  ).run(row);
}

export function caseRecordings(db: Db, ref: string): CaseRecordingRow[] {
  return db.prepare('SELECT * FROM case_recordings WHERE case_ref = ? ORDER BY id').all(ref) as CaseRecordingRow[];
}

export function casesOfRecording(db: Db, evidenceNumber: string): CaseRecordingRow[] {
  return db.prepare('SELECT * FROM case_recordings WHERE evidence_number = ? ORDER BY id').all(evidenceNumber) as CaseRecordingRow[];
}

export function insertCaseRecording(db: Db, row: Omit<CaseRecordingRow, 'id'>): number {
  return Number(
    db
      .prepare('INSERT INTO case_recordings (case_ref, evidence_number, proves, added_at, added_by) VALUES (@case_ref, @evidence_number, @proves, @added_at, @added_by)')
      .run(row).lastInsertRowid,
  );
}

export function findCaseClosure(db: Db, ref: string): CaseClosureRow | undefined {
  return db.prepare('SELECT * FROM case_closures WHERE case_ref = ?').get(ref) as CaseClosureRow | undefined;
}

export function insertCaseClosure(db: Db, row: CaseClosureRow): void {
  db.prepare('INSERT INTO case_closures (case_ref, closed_at, closed_by, note) VALUES (@case_ref, @closed_at, @closed_by, @note)').run(row);
}

/** Every case (or only those not yet filed), oldest due date first. */
export function listCases(db: Db, opts: { openOnly?: boolean } = {}): CaseSummaryRow[] {
  return db
    .prepare(
      `SELECT c.*, k.closed_at, k.closed_by, (SELECT count(*) FROM case_recordings r WHERE r.case_ref = c.ref) AS recordings
       FROM cases c LEFT JOIN case_closures k ON k.case_ref = c.ref
       ${opts.openOnly ? 'WHERE k.case_ref IS NULL' : ''}
       ORDER BY c.due, c.ref`,
    )
    .all() as CaseSummaryRow[];
}
