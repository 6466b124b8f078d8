// Catalog rows of the regulation's derived facts (migration 20): deadline evaluations, field
// trips, recording times, clock flags, interruptions and their explanations. All append-only:
// a re-evaluation is a new row, the newest deadline row of an original is its current status.
// Writers run inside the caller's transaction (each fact is paired with its audit entry).
import type { Db } from './catalog.js';

export interface DeadlineFactRow {
  evidence_number: string;
  officer_id: string | null;
  recorder_id: string | null;
  unit: string | null;
  made_at: number | null;
  made_at_source: string | null;
  time_flagged: number;
  made_on: string | null;
  due_at: number | null;
  working_day_due_at: number | null;
  trip_due_at: number | null;
  trip_id: number | null;
  held_at: number;
  status: 'on-time' | 'late' | 'unknown';
  unknown_reason: string | null;
  detail: string | null;
  late_hours: number | null;
  late_working_days: number | null;
  rule: string;
  calendar_version: string;
  time_zone: string;
  cause: string;
  evaluated_at: string;
  /** The fact this one replaces (a re-evaluation), or null for the first. */
  supersedes: number | null;
}

export interface StoredDeadlineFact extends DeadlineFactRow {
  id: number;
}

export function insertDeadlineFact(db: Db, row: DeadlineFactRow): number {
  return Number(
    db
      .prepare(
        `INSERT INTO deadline_facts (evidence_number, officer_id, recorder_id, unit, made_at, made_at_source, time_flagged,
           made_on, due_at, working_day_due_at, trip_due_at, trip_id, held_at, status, unknown_reason, detail, late_hours,
           late_working_days, rule, calendar_version, time_zone, cause, evaluated_at, supersedes)
         VALUES (@evidence_number, @officer_id, @recorder_id, @unit, @made_at, @made_at_source, @time_flagged,
           @made_on, @due_at, @working_day_due_at, @trip_due_at, @trip_id, @held_at, @status, @unknown_reason, @detail, @late_hours,
           @late_working_days, @rule, @calendar_version, @time_zone, @cause, @evaluated_at, @supersedes)`,
      )
      .run(row).lastInsertRowid,
  );
}

/** The current deadline fact of each original: every fact no re-evaluation superseded. */
const NOT_SUPERSEDED = `f.id NOT IN (SELECT supersedes FROM deadline_facts WHERE supersedes IS NOT NULL)`;
const CURRENT = `deadline_facts f WHERE ${NOT_SUPERSEDED}`;

export function currentDeadlineFact(db: Db, evidenceNumber: string): StoredDeadlineFact | undefined {
  return db.prepare('SELECT * FROM deadline_facts WHERE evidence_number = ? ORDER BY id DESC LIMIT 1').get(evidenceNumber) as StoredDeadlineFact | undefined;
}

export function deadlineHistory(db: Db, evidenceNumber: string): StoredDeadlineFact[] {
  return db.prepare('SELECT * FROM deadline_facts WHERE evidence_number = ? ORDER BY id').all(evidenceNumber) as StoredDeadlineFact[];
}

/** Originals whose current deadline fact consulted that year's calendar (a re-import re-evaluates them). */
export function evidenceDecidedWithCalendarYear(db: Db, year: number): string[] {
  return (
    db
      .prepare(
        `SELECT f.evidence_number FROM deadline_facts f WHERE f.id = (SELECT MAX(g.id) FROM deadline_facts g WHERE g.evidence_number = f.evidence_number) AND f.calendar_version LIKE ?`,
      )
      .all(`%${year}:%`) as { evidence_number: string }[]
  ).map((r) => r.evidence_number);
}

/** Originals of an officer made in [from, to] that already have a deadline fact (a trip re-evaluates them). */
export function evidenceEvaluatedForOfficerBetween(db: Db, officer: string, from: number, to: number): string[] {
  return (
    db
      .prepare(`SELECT DISTINCT evidence_number FROM deadline_facts WHERE officer_id = ? COLLATE NOCASE AND made_at BETWEEN ? AND ? ORDER BY evidence_number`)
      .all(officer, from, to) as { evidence_number: string }[]
  ).map((r) => r.evidence_number);
}

export interface FactFilter {
  /** made_at (or held_at when made_at is null) in [from, to), epoch ms. */
  from?: number;
  to?: number;
  officer?: string;
  unit?: string;
  status?: 'on-time' | 'late' | 'unknown';
}

/** SQL conditions for the filters that are set: [condition with one "?", value or undefined]. */
function conditions(list: [string, string | number | undefined][]): { parts: string[]; args: (string | number)[] } {
  const set = list.filter((c): c is [string, string | number] => c[1] !== undefined);
  return { parts: set.map((c) => c[0]), args: set.map((c) => c[1]) };
}

function where(f: FactFilter): { sql: string; args: (string | number)[] } {
  const c = conditions([
    ['COALESCE(f.made_at, f.held_at) >= ?', f.from],
    ['COALESCE(f.made_at, f.held_at) < ?', f.to],
    ['f.officer_id = ? COLLATE NOCASE', f.officer],
    ['f.unit = ?', f.unit],
    ['f.status = ?', f.status],
  ]);
  return { sql: c.parts.map((p) => ' AND ' + p).join(''), args: c.args };
}

/** Officer / time-range filter of trips and interruptions. */
function whereClause(f: { officer?: string; from?: number; to?: number }, fromCol: string, toCol: string): { sql: string; args: (string | number)[] } {
  const c = conditions([
    ['officer_id = ? COLLATE NOCASE', f.officer],
    [`${fromCol} >= ?`, f.from],
    [`${toCol} < ?`, f.to],
  ]);
  return { sql: c.parts.length ? 'WHERE ' + c.parts.join(' AND ') : '', args: c.args };
}

/** Current facts matching the filter, as objects (for lists). */
export function currentDeadlineFacts(db: Db, f: FactFilter = {}): StoredDeadlineFact[] {
  const w = where(f);
  return db.prepare(`SELECT f.* FROM ${CURRENT}${w.sql} ORDER BY f.evidence_number`).all(...w.args) as StoredDeadlineFact[];
}

export interface OfficerAggregate {
  officer: string | null;
  recordings: number;
  onTime: number;
  late: number;
  unknown: number;
  worstLateHours: number | null;
  worstLateWorkingDays: number | null;
  /** held_at − made_at in ms of each recording with a known time, comma-separated (for the median). */
  heldAfterMs: string | null;
}

/**
 * Per-officer counts over ALL deadline facts matching the filter, superseded ones included,
 * aggregated by SQLite on the covering index deadline_facts_report (a million rows in well under
 * a second, where checking each row for supersession would double the time). Subtract
 * supersededFacts() to get the current picture; the median is left to the caller.
 */
export function officerAggregatesAllFacts(db: Db, f: FactFilter = {}): OfficerAggregate[] {
  const w = where(f);
  return db
    .prepare(
      `SELECT f.officer_id AS officer, COUNT(*) AS recordings, SUM(f.status = 'on-time') AS onTime, SUM(f.status = 'late') AS late,
         SUM(f.status = 'unknown') AS unknown, MAX(f.late_hours) AS worstLateHours, MAX(f.late_working_days) AS worstLateWorkingDays,
         group_concat(f.held_at - f.made_at) AS heldAfterMs
       FROM deadline_facts f INDEXED BY deadline_facts_report WHERE 1${w.sql}
       GROUP BY f.officer_id`,
    )
    .all(...w.args) as OfficerAggregate[];
}

export interface SupersededFact {
  officer: string | null;
  status: 'on-time' | 'late' | 'unknown';
  made_at: number | null;
  held_at: number;
  late_hours: number | null;
  late_working_days: number | null;
}

/** The facts matching the filter that a re-evaluation replaced (few). */
export function supersededFacts(db: Db, f: FactFilter = {}): SupersededFact[] {
  const w = where(f);
  return db
    .prepare(
      `SELECT f.officer_id AS officer, f.status, f.made_at, f.held_at, f.late_hours, f.late_working_days FROM deadline_facts f
       WHERE f.id IN (SELECT supersedes FROM deadline_facts WHERE supersedes IS NOT NULL)${w.sql}`,
    )
    .all(...w.args) as SupersededFact[];
}

/** Worst lateness of one officer over current facts only (when a superseded fact held the maximum). */
export function worstLatenessCurrent(db: Db, officer: string | null, f: FactFilter = {}): { worstLateHours: number | null; worstLateWorkingDays: number | null } {
  const w = where(f);
  return db
    .prepare(
      `SELECT MAX(f.late_hours) AS worstLateHours, MAX(f.late_working_days) AS worstLateWorkingDays FROM deadline_facts f
       WHERE f.officer_id IS ? AND ${NOT_SUPERSEDED}${w.sql}`,
    )
    .get(officer, ...w.args) as { worstLateHours: number | null; worstLateWorkingDays: number | null };
}

/** Counts for `evidock status`: current deadline statuses and unexplained interruptions. */
export function rulesSummary(db: Db): { late: number; unknown: number; unexplainedGaps: number } {
  const c = db
    .prepare(`SELECT SUM(f.status = 'late') AS late, SUM(f.status = 'unknown') AS unknown FROM deadline_facts f INDEXED BY deadline_facts_report WHERE ${NOT_SUPERSEDED}`)
    .get() as { late: number | null; unknown: number | null };
  const g = db
    .prepare('SELECT COUNT(*) AS n FROM interruptions i WHERE NOT EXISTS (SELECT 1 FROM interruption_explanations e WHERE e.interruption_id = i.id)')
    .get() as { n: number };
  return { late: c.late ?? 0, unknown: c.unknown ?? 0, unexplainedGaps: g.n };
}

// --- field trips -----------------------------------------------------------------------------

export interface FieldTripRow {
  id: number;
  officer_id: string;
  from_at: number;
  to_at: number;
  reason: string;
  registered_at: string;
  registered_by: string;
}

export function insertFieldTrip(db: Db, t: Omit<FieldTripRow, 'id'>): number {
  return Number(
    db
      .prepare('INSERT INTO field_trips (officer_id, from_at, to_at, reason, registered_at, registered_by) VALUES (@officer_id, @from_at, @to_at, @reason, @registered_at, @registered_by)')
      .run(t).lastInsertRowid,
  );
}

export function tripsOfOfficer(db: Db, officer: string): FieldTripRow[] {
  return db.prepare('SELECT * FROM field_trips WHERE officer_id = ? COLLATE NOCASE ORDER BY from_at, id').all(officer) as FieldTripRow[];
}

export function listFieldTrips(db: Db, f: { officer?: string; from?: number; to?: number } = {}): FieldTripRow[] {
  // trips overlapping [from, to): ending at or after from, starting before to
  const w = whereClause(f, 'to_at', 'from_at');
  return db.prepare(`SELECT * FROM field_trips ${w.sql} ORDER BY from_at, id`).all(...w.args) as FieldTripRow[];
}

// --- recording times, clock flags ------------------------------------------------------------

export interface RecordingTimeRow {
  evidence_number: string;
  recorder_id: string | null;
  officer_id: string | null;
  start_at: number | null;
  end_at: number | null;
  start_source: string | null;
  seq: number | null;
  docked_at: number | null;
  recorded_at: string;
}

export function insertRecordingTime(db: Db, r: RecordingTimeRow): void {
  db.prepare(
    `INSERT OR IGNORE INTO recording_times (evidence_number, recorder_id, officer_id, start_at, end_at, start_source, seq, docked_at, recorded_at)
     VALUES (@evidence_number, @recorder_id, @officer_id, @start_at, @end_at, @start_source, @seq, @docked_at, @recorded_at)`,
  ).run(r);
}

export type RecordingTimeWithKind = RecordingTimeRow & { media_kind: string | null; file_name: string };

/** Recording times, with the media kind the provenance step found and the file name. */
export function recordingTimes(db: Db, evidenceNumbers: string[]): RecordingTimeWithKind[] {
  const stmt = db.prepare(
    `SELECT r.*, p.media_kind, o.file_name FROM recording_times r
     JOIN originals o ON o.evidence_number = r.evidence_number
     LEFT JOIN provenance p ON p.evidence_number = r.evidence_number
     WHERE r.evidence_number = ?`,
  );
  return evidenceNumbers.map((e) => stmt.get(e) as RecordingTimeWithKind | undefined).filter((r): r is RecordingTimeWithKind => !!r);
}

/** Segments of a recorder whose start lies in [from, to], with the media kind the provenance step found. */
export function recorderSegments(db: Db, recorder: string, from: number, to: number): (RecordingTimeRow & { media_kind: string | null; file_name: string })[] {
  return db
    .prepare(
      `SELECT r.*, p.media_kind, o.file_name FROM recording_times r
       JOIN originals o ON o.evidence_number = r.evidence_number
       LEFT JOIN provenance p ON p.evidence_number = r.evidence_number
       WHERE r.recorder_id = ? AND r.start_at BETWEEN ? AND ? ORDER BY r.start_at`,
    )
    .all(recorder, from, to) as (RecordingTimeRow & { media_kind: string | null; file_name: string })[];
}

/** Why a held file is not a recording (the provenance step's verdict), or null. */
export function notARecordingReason(db: Db, evidenceNumber: string): string | null {
  const r = db.prepare('SELECT metadata_reason, start_ms FROM provenance WHERE evidence_number = ?').get(evidenceNumber) as
    | { metadata_reason: string | null; start_ms: number | null }
    | undefined;
  return r && r.start_ms === null && r.metadata_reason?.startsWith('not a recording') ? r.metadata_reason : null;
}

export interface ClockFlagRow {
  evidence_number: string;
  kind: string;
  reason: string;
  flagged_at: string;
}

/** Returns true when the flag is new. */
export function insertClockFlag(db: Db, f: ClockFlagRow): boolean {
  return db.prepare('INSERT OR IGNORE INTO clock_flags (evidence_number, kind, reason, flagged_at) VALUES (@evidence_number, @kind, @reason, @flagged_at)').run(f).changes > 0;
}

export function clockFlagsOf(db: Db, evidenceNumber: string): ClockFlagRow[] {
  return db.prepare('SELECT evidence_number, kind, reason, flagged_at FROM clock_flags WHERE evidence_number = ? ORDER BY id').all(evidenceNumber) as ClockFlagRow[];
}

// --- interruptions ---------------------------------------------------------------------------

export interface InterruptionRow {
  id: number;
  recorder_id: string;
  officer_id: string | null;
  before_evidence: string;
  after_evidence: string;
  from_at: number;
  to_at: number;
  gap_ms: number;
  rule: string;
  found_at: string;
}

/** Returns the new row's id, or null when this pair was already listed. */
export function insertInterruption(db: Db, r: Omit<InterruptionRow, 'id'>): number | null {
  const res = db
    .prepare(
      `INSERT OR IGNORE INTO interruptions (recorder_id, officer_id, before_evidence, after_evidence, from_at, to_at, gap_ms, rule, found_at)
       VALUES (@recorder_id, @officer_id, @before_evidence, @after_evidence, @from_at, @to_at, @gap_ms, @rule, @found_at)`,
    )
    .run(r);
  return res.changes > 0 ? Number(res.lastInsertRowid) : null;
}

export interface InterruptionWithExplanations extends InterruptionRow {
  explanations: { text: string; explained_by: string; explained_at: string }[];
}

export function listInterruptions(db: Db, f: { officer?: string; from?: number; to?: number; unexplained?: boolean } = {}): InterruptionWithExplanations[] {
  const w = whereClause(f, 'from_at', 'from_at');
  const rows = db.prepare(`SELECT * FROM interruptions ${w.sql} ORDER BY from_at, id`).all(...w.args) as InterruptionRow[];
  const ex = db.prepare('SELECT text, explained_by, explained_at FROM interruption_explanations WHERE interruption_id = ? ORDER BY id');
  const out = rows.map((r) => ({ ...r, explanations: ex.all(r.id) as InterruptionWithExplanations['explanations'] }));
  return f.unexplained ? out.filter((r) => r.explanations.length === 0) : out;
}

export function findInterruption(db: Db, id: number): InterruptionRow | undefined {
  return db.prepare('SELECT * FROM interruptions WHERE id = ?').get(id) as InterruptionRow | undefined;
}

export function insertExplanation(db: Db, e: { interruption_id: number; text: string; explained_by: string; explained_at: string }): number {
  return Number(
    db
      .prepare('INSERT INTO interruption_explanations (interruption_id, text, explained_by, explained_at) VALUES (@interruption_id, @text, @explained_by, @explained_at)')
      .run(e).lastInsertRowid,
  );
}
