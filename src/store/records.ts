// Reading and writing the catalog's core rows. Writers run inside the caller's transaction
// (ingest pairs each fact with its audit entry).
import type { Db } from './catalog.js';

export interface OriginalRow {
  evidence_number: string;
  object_id: string;
  object_path: string;
  content_path: string;
  file_name: string;
  sha256: string;
  sm3: string | null;
  size: number;
  recorder_id: string | null;
  officer_id: string | null;
  source_path: string;
  source_path_raw: Buffer;
  source_mtime_ms: number | null;
  session_id: string;
  held_at: string;
}

export type SightingOutcome = 'held' | 'already-held' | 'skipped' | 'failed';

export interface SightingRow {
  session_id: string;
  recorder_id: string | null;
  source_path: string;
  source_path_raw: Buffer;
  kind: string;
  size: number | null;
  mtime_ms: number | null;
  sha256: string | null;
  evidence_number: string | null;
  outcome: SightingOutcome;
  reason: string | null;
  seen_at: string;
}

export interface SessionRow {
  id: string;
  recorder_id: string | null;
  source: string;
  slot: string | null;
  started_at: string;
  ended_at: string | null;
  status: string;
  summary: string | null;
}

export function insertOriginal(db: Db, row: OriginalRow): void {
  db.prepare(
    `INSERT INTO originals (evidence_number, object_id, object_path, content_path, file_name, sha256, sm3, size,
       recorder_id, officer_id, source_path, source_path_raw, source_mtime_ms, session_id, held_at)
     VALUES (@evidence_number, @object_id, @object_path, @content_path, @file_name, @sha256, @sm3, @size,
       @recorder_id, @officer_id, @source_path, @source_path_raw, @source_mtime_ms, @session_id, @held_at)`,
  ).run(row);
}

export function insertSighting(db: Db, row: SightingRow): number {
  return Number(
    db
      .prepare(
        `INSERT INTO sightings (session_id, recorder_id, source_path, source_path_raw, kind, size, mtime_ms, sha256,
           evidence_number, outcome, reason, seen_at)
         VALUES (@session_id, @recorder_id, @source_path, @source_path_raw, @kind, @size, @mtime_ms, @sha256,
           @evidence_number, @outcome, @reason, @seen_at)`,
      )
      .run(row).lastInsertRowid,
  );
}

export function findOriginalBySha256(db: Db, sha256: string): OriginalRow | undefined {
  return db.prepare('SELECT * FROM originals WHERE sha256 = ?').get(sha256) as OriginalRow | undefined;
}

export function findOriginal(db: Db, evidenceNumber: string): OriginalRow | undefined {
  return db.prepare('SELECT * FROM originals WHERE evidence_number = ?').get(evidenceNumber) as OriginalRow | undefined;
}

/** The original a file was already held as, if this recorder showed the same path, size and mtime before. */
export function findKnownFile(
  db: Db,
  key: { recorderId: string | null; rawPath: Buffer; size: number; mtimeMs: number },
): OriginalRow | undefined {
  return db
    .prepare(
      `SELECT o.* FROM sightings s JOIN originals o ON o.evidence_number = s.evidence_number
       WHERE s.recorder_id IS ? AND s.source_path_raw = ? AND s.size = ? AND s.mtime_ms = ?
         AND s.outcome IN ('held', 'already-held')
       ORDER BY s.id DESC LIMIT 1`,
    )
    .get(key.recorderId, key.rawPath, key.size, key.mtimeMs) as OriginalRow | undefined;
}

/** Next evidence number for a station day: <station>-<yyyymmdd>-<seq, 6 digits>. */
export function reserveEvidenceNumber(db: Db, station: string, day: string): string {
  const row = db
    .prepare(
      `INSERT INTO evidence_counters (day, last) VALUES (?, 1)
       ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last`,
    )
    .get(day) as { last: number };
  return `${station}-${day}-${String(row.last).padStart(6, '0')}`;
}

export interface CommitIntent {
  evidence_number: string;
  staging_dir: string;
  object_path: string;
  created_at: string;
}

export function recordCommitIntent(db: Db, intent: CommitIntent): void {
  db.prepare(
    'INSERT INTO commit_intents (evidence_number, staging_dir, object_path, created_at) VALUES (@evidence_number, @staging_dir, @object_path, @created_at)',
  ).run(intent);
}

export function clearCommitIntent(db: Db, evidenceNumber: string): void {
  db.prepare('DELETE FROM commit_intents WHERE evidence_number = ?').run(evidenceNumber);
}

export function pendingCommitIntents(db: Db): CommitIntent[] {
  return db.prepare('SELECT * FROM commit_intents ORDER BY created_at').all() as CommitIntent[];
}

export function startSession(db: Db, s: Pick<SessionRow, 'id' | 'recorder_id' | 'source' | 'slot' | 'started_at'>): void {
  db.prepare('INSERT INTO sessions (id, recorder_id, source, slot, started_at) VALUES (@id, @recorder_id, @source, @slot, @started_at)').run(s);
}

export function endSession(db: Db, id: string, status: string, endedAt: string, summary: unknown): void {
  db.prepare('UPDATE sessions SET status = ?, ended_at = ?, summary = ? WHERE id = ?').run(status, endedAt, JSON.stringify(summary), id);
}

/** Sessions left 'running' by a process that died: marked interrupted at the next start. */
export function interruptRunningSessions(db: Db, endedAt: string): SessionRow[] {
  const rows = db.prepare(`SELECT * FROM sessions WHERE status = 'running'`).all() as SessionRow[];
  db.prepare(`UPDATE sessions SET status = 'interrupted', ended_at = ? WHERE status = 'running'`).run(endedAt);
  return rows;
}

export function listOriginals(db: Db): Iterable<OriginalRow> {
  return db.prepare('SELECT * FROM originals ORDER BY evidence_number').iterate() as Iterable<OriginalRow>;
}

export function countOriginals(db: Db): { count: number; bytes: number } {
  return db.prepare('SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM originals').get() as { count: number; bytes: number };
}
