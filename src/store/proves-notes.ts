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

/** Catalog rebuild: the notes again, from their audit entries (the journal holds every one). */
export function rebuildProvesNotesFromAudit(db: Db): number {
  const rows = db.prepare(`SELECT at, entry FROM audit_entries WHERE type = 'recording.proves-noted' ORDER BY seq`).all() as { at: string; entry: string }[];
  const insert = db.prepare(
    'INSERT OR IGNORE INTO proves_notes (id, evidence_number, text, case_ref, noted_by, noted_at) VALUES (@id, @evidence_number, @text, @case_ref, @noted_by, @noted_at)',
  );
  let count = 0;
  db.transaction(() => {
    for (const { at, entry } of rows) {
      const d = (JSON.parse(entry) as { data: Record<string, unknown> }).data;
      if (typeof d.evidenceNumber !== 'string' || typeof d.text !== 'string') continue;
      const exists = db.prepare('SELECT 1 FROM originals WHERE evidence_number = ?').get(d.evidenceNumber);
      if (!exists) continue;
      count += insert.run({
        id: typeof d.note === 'number' ? d.note : null,
        evidence_number: d.evidenceNumber,
        text: d.text,
        case_ref: typeof d.case === 'string' ? d.case : null,
        noted_by: typeof d.notedBy === 'string' ? d.notedBy : '',
        noted_at: at,
      }).changes;
    }
  })();
  return count;
}
