// The rules' facts about one held recording as `evidock show` prints them: the deadline fact in
// force, its clock flags, the interruptions it bounds (null on a catalog without fact tables).
import type { Db } from './catalog.js';

export interface RecordingRuleFacts {
  deadline: Record<string, unknown> | null;
  clockFlags: Record<string, unknown>[];
  interruptions: Record<string, unknown>[];
}

function hasTable(db: Db, name: string): boolean {
  return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name);
}

/** Times are stored as epoch ms; they are given as ISO 8601 (UTC). */
export function ruleFactsOfRecording(db: Db, evidenceNumber: string): RecordingRuleFacts | null {
  if (!hasTable(db, 'deadline_facts')) return null;
  const deadline = db.prepare('SELECT status, due_at, held_at, late_hours, made_at_source, unknown_reason, detail, rule, evaluated_at FROM deadline_facts WHERE evidence_number = ? ORDER BY id DESC LIMIT 1').get(evidenceNumber) as Record<string, unknown> | undefined;
  const clock = hasTable(db, 'clock_flags') ? (db.prepare('SELECT kind, reason, flagged_at FROM clock_flags WHERE evidence_number = ? ORDER BY id').all(evidenceNumber) as Record<string, unknown>[]) : [];
  const gaps = hasTable(db, 'interruptions')
    ? (db.prepare('SELECT id, before_evidence, after_evidence, from_at, to_at, gap_ms FROM interruptions WHERE before_evidence = ? OR after_evidence = ? ORDER BY from_at').all(evidenceNumber, evidenceNumber) as Record<string, unknown>[])
    : [];
  const iso = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString() : v);
  return {
    deadline: deadline ? { ...deadline, due_at: iso(deadline.due_at), held_at: iso(deadline.held_at) } : null,
    clockFlags: clock,
    interruptions: gaps.map((g) => ({ ...g, from_at: iso(g.from_at), to_at: iso(g.to_at) })),
  };
}
