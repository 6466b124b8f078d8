// SQL of Art. 14 long-term holds: the hold, the recordings it covers, its release. Writers run
// inside the caller's transaction (paired with audit entries by the cases room).
import type { Db } from './catalog.js';

export type HoldReason = 'dispute' | 'obstruction' | 'assault' | 'mass-incident' | 'other';
export const HOLD_REASONS: readonly HoldReason[] = ['dispute', 'obstruction', 'assault', 'mass-incident', 'other'];

export interface HoldRow {
  id: number;
  reason: HoldReason;
  text: string;
  asked_for: string;
  added_at: string;
  added_by: string;
}

export interface HoldItemRow {
  hold_id: number;
  evidence_number: string;
  backend_hold: string;
}

export interface HoldReleaseRow {
  hold_id: number;
  approver: string;
  text: string;
  released_at: string;
  released_by: string;
}

export interface HoldSummaryRow extends HoldRow {
  released_at: string | null;
  released_by_approver: string | null;
  release_text: string | null;
  recordings: number;
}

export function insertHold(db: Db, row: Omit<HoldRow, 'id'>): number {
  return Number(
    db.prepare('INSERT INTO holds (reason, text, asked_for, added_at, added_by) VALUES (@reason, @text, @asked_for, @added_at, @added_by)').run(row).lastInsertRowid,
  );
}

export function insertHoldItem(db: Db, row: HoldItemRow): void {
  db.prepare('INSERT INTO hold_items (hold_id, evidence_number, backend_hold) VALUES (@hold_id, @evidence_number, @backend_hold)').run(row);
}

export function findHold(db: Db, id: number): HoldRow | undefined {
  return db.prepare('SELECT * FROM holds WHERE id = ?').get(id) as HoldRow | undefined;
}

export function holdItems(db: Db, id: number): HoldItemRow[] {
  return db.prepare('SELECT * FROM hold_items WHERE hold_id = ? ORDER BY evidence_number').all(id) as HoldItemRow[];
}

export function findHoldRelease(db: Db, id: number): HoldReleaseRow | undefined {
  return db.prepare('SELECT * FROM hold_releases WHERE hold_id = ?').get(id) as HoldReleaseRow | undefined;
}

export function insertHoldRelease(db: Db, row: HoldReleaseRow): void {
  db.prepare('INSERT INTO hold_releases (hold_id, approver, text, released_at, released_by) VALUES (@hold_id, @approver, @text, @released_at, @released_by)').run(row);
}

const SUMMARY = `SELECT h.*, r.released_at, r.approver AS released_by_approver, r.text AS release_text,
  (SELECT count(*) FROM hold_items i WHERE i.hold_id = h.id) AS recordings
  FROM holds h LEFT JOIN hold_releases r ON r.hold_id = h.id`;

export function listHolds(db: Db, opts: { activeOnly?: boolean } = {}): HoldSummaryRow[] {
  return db.prepare(`${SUMMARY} ${opts.activeOnly ? 'WHERE r.hold_id IS NULL' : ''} ORDER BY h.id`).all() as HoldSummaryRow[];
}

/** Holds covering one recording, released ones included. */
export function holdsOfRecording(db: Db, evidenceNumber: string): HoldSummaryRow[] {
  return db.prepare(`${SUMMARY} WHERE h.id IN (SELECT hold_id FROM hold_items WHERE evidence_number = ?) ORDER BY h.id`).all(evidenceNumber) as HoldSummaryRow[];
}

/** Recordings an active hold covers with an Object Lock legal hold (what verify on s3 expects set). */
export function recordingsUnderObjectLockHold(db: Db): Set<string> {
  const rows = db
    .prepare(`SELECT DISTINCT i.evidence_number FROM hold_items i LEFT JOIN hold_releases r ON r.hold_id = i.hold_id
      WHERE r.hold_id IS NULL AND i.backend_hold = 'object-lock'`)
    .all() as { evidence_number: string }[];
  return new Set(rows.map((r) => r.evidence_number));
}
