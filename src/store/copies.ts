// SQL of Art. 13 copies: approvers, copy requests and their recordings, decisions, copies made.
// Writers run inside the caller's transaction (paired with audit entries by the cases room).
import type { Db } from './catalog.js';

export interface ApproverRow {
  officer_number: string;
  title: string | null;
  registered_at: string;
  registered_by: string;
}

export interface CopyRequestRow {
  id: number;
  requester: string;
  reason: string;
  asked_for: string;
  requested_at: string;
  requested_by: string;
}

export interface CopyDecisionRow {
  request_id: number;
  decision: 'approved' | 'refused';
  approver: string;
  reason: string | null;
  decided_at: string;
  decided_by: string;
}

export interface CopyMadeRow {
  id: number;
  request_id: number;
  out: string;
  tagmanifest_sha256: string;
  files: number;
  bytes: number;
  made_at: string;
  made_by: string;
}

export function findApprover(db: Db, officerNumber: string): (ApproverRow & { name: string }) | undefined {
  return db
    .prepare('SELECT a.*, o.name FROM approvers a JOIN officers o ON o.number = a.officer_number WHERE a.officer_number = ?')
    .get(officerNumber.trim()) as (ApproverRow & { name: string }) | undefined;
}

export function listApprovers(db: Db): (ApproverRow & { name: string })[] {
  return db.prepare('SELECT a.*, o.name FROM approvers a JOIN officers o ON o.number = a.officer_number ORDER BY a.officer_number').all() as (ApproverRow & {
    name: string;
  })[];
}

export function insertApprover(db: Db, row: ApproverRow): void {
  db.prepare('INSERT INTO approvers (officer_number, title, registered_at, registered_by) VALUES (@officer_number, @title, @registered_at, @registered_by)').run(row);
}

/** Inserts a request and its recordings; returns its id. */
export function insertCopyRequest(db: Db, row: Omit<CopyRequestRow, 'id'>, evidenceNumbers: readonly string[]): number {
  const id = Number(
    db
      .prepare('INSERT INTO copy_requests (requester, reason, asked_for, requested_at, requested_by) VALUES (@requester, @reason, @asked_for, @requested_at, @requested_by)')
      .run(row).lastInsertRowid,
  );
  const item = db.prepare('INSERT INTO copy_request_items (request_id, evidence_number) VALUES (?, ?)');
  for (const e of evidenceNumbers) item.run(id, e);
  return id;
}

export function findCopyRequest(db: Db, id: number): CopyRequestRow | undefined {
  return db.prepare('SELECT * FROM copy_requests WHERE id = ?').get(id) as CopyRequestRow | undefined;
}

export function copyRequestItems(db: Db, id: number): string[] {
  return (db.prepare('SELECT evidence_number FROM copy_request_items WHERE request_id = ? ORDER BY evidence_number').all(id) as { evidence_number: string }[]).map(
    (r) => r.evidence_number,
  );
}

export function listCopyRequests(db: Db): CopyRequestRow[] {
  return db.prepare('SELECT * FROM copy_requests ORDER BY id').all() as CopyRequestRow[];
}

export function findCopyDecision(db: Db, requestId: number): CopyDecisionRow | undefined {
  return db.prepare('SELECT * FROM copy_decisions WHERE request_id = ?').get(requestId) as CopyDecisionRow | undefined;
}

export function insertCopyDecision(db: Db, row: CopyDecisionRow): void {
  db.prepare(
    'INSERT INTO copy_decisions (request_id, decision, approver, reason, decided_at, decided_by) VALUES (@request_id, @decision, @approver, @reason, @decided_at, @decided_by)',
  ).run(row);
}

export function insertCopyMade(db: Db, row: Omit<CopyMadeRow, 'id'>): number {
  return Number(
    db
      .prepare(
        'INSERT INTO copies_made (request_id, out, tagmanifest_sha256, files, bytes, made_at, made_by) VALUES (@request_id, @out, @tagmanifest_sha256, @files, @bytes, @made_at, @made_by)',
      )
      .run(row).lastInsertRowid,
  );
}

export function copiesMadeOf(db: Db, requestId: number): CopyMadeRow[] {
  return db.prepare('SELECT * FROM copies_made WHERE request_id = ? ORDER BY id').all(requestId) as CopyMadeRow[];
}
