// Art. 8: what a held recording proves (证明对象), noted later from the case file. Facts only.
import type { Db } from './catalog.js';

export interface ProvesNote {
  id: number;
  evidence_number: string;
  text: string;
  case_ref: string | null;
  noted_by: string;
  noted_at: string;
}

export function insertProvesNote(db: Db, note: Omit<ProvesNote, 'id'>): number {
  return Number(
    db
      .prepare('INSERT INTO proves_notes (evidence_number, text, case_ref, noted_by, noted_at) VALUES (@evidence_number, @text, @case_ref, @noted_by, @noted_at)')
      .run(note).lastInsertRowid,
  );
}

export function provesNotesOf(db: Db, evidenceNumber: string): ProvesNote[] {
  return db.prepare('SELECT * FROM proves_notes WHERE evidence_number = ? ORDER BY id').all(evidenceNumber) as ProvesNote[];
}
