// The recorder and officer registry and the assignment history (catalog tables of migration 10).
// Registrations are facts; an assignment is corrected by a new row that supersedes, never edited.
import type { Db } from './catalog.js';

export interface RecorderRow {
  serial: string;
  make: string | null;
  model: string | null;
  unit: string | null;
  usb_serial: string | null;
  registered_at: string;
  registered_by: string;
}

export interface OfficerRow {
  number: string;
  name: string;
  unit: string | null;
  registered_at: string;
  registered_by: string;
}

export interface AssignmentRow {
  id: number;
  recorder_serial: string;
  officer_number: string;
  from_ms: number;
  to_ms: number | null;
  supersedes: number | null;
  reason: string | null;
  created_at: string;
  created_by: string;
}

/** A registry rule was broken; the message says what to do. */
export class RegistryError extends Error {
  override name = 'RegistryError';
}

export function findRecorder(db: Db, serial: string): RecorderRow | undefined {
  return db.prepare('SELECT * FROM recorders WHERE serial = ? OR usb_serial = ?').get(serial.trim(), serial.trim()) as RecorderRow | undefined;
}

export function listRecorders(db: Db): RecorderRow[] {
  return db.prepare('SELECT * FROM recorders ORDER BY serial').all() as RecorderRow[];
}

export function addRecorder(db: Db, row: RecorderRow): void {
  if (findRecorder(db, row.serial)) throw new RegistryError(`recorder ${row.serial} is already registered (registrations are never edited)`);
  if (row.usb_serial && findRecorder(db, row.usb_serial)) throw new RegistryError(`USB serial ${row.usb_serial} already belongs to a registered recorder`);
  db.prepare(
    `INSERT INTO recorders (serial, make, model, unit, usb_serial, registered_at, registered_by)
     VALUES (@serial, @make, @model, @unit, @usb_serial, @registered_at, @registered_by)`,
  ).run(row);
}

export function findOfficer(db: Db, number: string): OfficerRow | undefined {
  return db.prepare('SELECT * FROM officers WHERE number = ?').get(number.trim()) as OfficerRow | undefined;
}

export function listOfficers(db: Db): OfficerRow[] {
  return db.prepare('SELECT * FROM officers ORDER BY number').all() as OfficerRow[];
}

export function addOfficer(db: Db, row: OfficerRow): void {
  if (findOfficer(db, row.number)) throw new RegistryError(`officer ${row.number} is already registered (registrations are never edited)`);
  db.prepare(
    `INSERT INTO officers (number, name, unit, registered_at, registered_by) VALUES (@number, @name, @unit, @registered_at, @registered_by)`,
  ).run(row);
}

export function listAssignments(db: Db, recorderSerial?: string): AssignmentRow[] {
  if (recorderSerial) {
    return db.prepare('SELECT * FROM assignments WHERE recorder_serial = ? COLLATE NOCASE ORDER BY from_ms, id').all(recorderSerial) as AssignmentRow[];
  }
  return db.prepare('SELECT * FROM assignments ORDER BY recorder_serial, from_ms, id').all() as AssignmentRow[];
}

export function findAssignment(db: Db, id: number): AssignmentRow | undefined {
  return db.prepare('SELECT * FROM assignments WHERE id = ?').get(id) as AssignmentRow | undefined;
}

/** Adds an assignment (or a correction when `supersedes` is set); returns its id. */
export function addAssignment(db: Db, row: Omit<AssignmentRow, 'id'>): number {
  const recorder = findRecorder(db, row.recorder_serial);
  if (!recorder) throw new RegistryError(`recorder ${row.recorder_serial} is not registered; add it first with \`evidock recorders add ${row.recorder_serial}\``);
  const officer = findOfficer(db, row.officer_number);
  if (!officer) throw new RegistryError(`officer ${row.officer_number} is not registered; add it first with \`evidock officers add ${row.officer_number} --name NAME\``);
  if (row.to_ms !== null && row.to_ms <= row.from_ms) throw new RegistryError('--to must be after --from');
  if (row.supersedes !== null) {
    const old = findAssignment(db, row.supersedes);
    if (!old) throw new RegistryError(`assignment #${row.supersedes} does not exist`);
    const already = db.prepare('SELECT id FROM assignments WHERE supersedes = ?').get(row.supersedes) as { id: number } | undefined;
    if (already) throw new RegistryError(`assignment #${row.supersedes} was already corrected by #${already.id}; correct #${already.id} instead`);
  }
  return Number(
    db
      .prepare(
        `INSERT INTO assignments (recorder_serial, officer_number, from_ms, to_ms, supersedes, reason, created_at, created_by)
         VALUES (@recorder_serial, @officer_number, @from_ms, @to_ms, @supersedes, @reason, @created_at, @created_by)`,
      )
      .run({ ...row, recorder_serial: recorder.serial, officer_number: officer.number }).lastInsertRowid,
  );
}

/**
 * Runs inside a registration's transaction with the row as saved: the caller writes its audit
 * entry here (store does not import audit), so the row and its entry exist together or not at all.
 */
export type InCommit<Row> = (saved: Row) => void;

/** In one transaction: write a registry row, read it back as saved, run the caller's audit entry. */
function registerInOne<Row>(db: Db, write: () => Row, inCommit: InCommit<Row>): Row {
  return db.transaction(() => {
    const saved = write();
    inCommit(saved);
    return saved;
  })();
}

/** Register an officer and record its audit entry, in one transaction. Throws RegistryError. */
export function registerOfficer(db: Db, row: OfficerRow, inCommit: InCommit<OfficerRow>): OfficerRow {
  return registerInOne(db, () => (addOfficer(db, row), findOfficer(db, row.number)!), inCommit);
}

/** Register a recorder and record its audit entry, in one transaction. Throws RegistryError. */
export function registerRecorder(db: Db, row: RecorderRow, inCommit: InCommit<RecorderRow>): RecorderRow {
  return registerInOne(db, () => (addRecorder(db, row), findRecorder(db, row.serial)!), inCommit);
}

/** Add an assignment (or a correction) and record its audit entry, in one transaction. Throws RegistryError. */
export function registerAssignment(db: Db, row: Omit<AssignmentRow, 'id'>, inCommit: InCommit<AssignmentRow>): AssignmentRow {
  return registerInOne(db, () => findAssignment(db, addAssignment(db, row))!, inCommit);
}

/** USB serial -> product serial, for attribution. Keys upper case. */
export function recorderAliases(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT serial, usb_serial FROM recorders WHERE usb_serial IS NOT NULL').all() as { serial: string; usb_serial: string }[];
  return new Map(rows.map((r) => [r.usb_serial.trim().toUpperCase(), r.serial]));
}

/**
 * Assignment rows of the given recorders, superseded ones included, plus every row that
 * corrects one of them (a correction may name another recorder: the old row must still lapse).
 */
export function assignmentsOf(db: Db, recorderSerials: readonly string[]): AssignmentRow[] {
  if (!recorderSerials.length) return [];
  const marks = recorderSerials.map(() => '?').join(', ');
  return db
    .prepare(
      `WITH RECURSIVE chain(id) AS (
         SELECT id FROM assignments WHERE recorder_serial COLLATE NOCASE IN (${marks})
         UNION SELECT a.id FROM assignments a JOIN chain c ON a.supersedes = c.id)
       SELECT * FROM assignments WHERE id IN (SELECT id FROM chain) ORDER BY from_ms, id`,
    )
    .all(...recorderSerials.map((s) => s.trim())) as AssignmentRow[];
}

/** Whether the station keeps a registry of this kind at all (any row). */
export function registryHas(db: Db, table: 'recorders' | 'officers'): boolean {
  return db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined;
}

/**
 * Replays the registry from the audit entries already in `db` (a catalog rebuilt from the
 * journal): every registration and assignment was logged with all its fields. Returns counts.
 */
export function rebuildRegistryFromAudit(db: Db): { recorders: number; officers: number; assignments: number } {
  const counts = { recorders: 0, officers: 0, assignments: 0 };
  const rows = db
    .prepare(`SELECT entry FROM audit_entries WHERE type IN ('registry.recorder.added', 'registry.officer.added', 'registry.assignment.added', 'registry.assignment.corrected') ORDER BY seq`)
    .all() as { entry: string }[];
  const insRecorder = db.prepare(
    `INSERT OR IGNORE INTO recorders (serial, make, model, unit, usb_serial, registered_at, registered_by)
     VALUES (@serial, @make, @model, @unit, @usb_serial, @registered_at, @registered_by)`,
  );
  const insOfficer = db.prepare(
    `INSERT OR IGNORE INTO officers (number, name, unit, registered_at, registered_by) VALUES (@number, @name, @unit, @registered_at, @registered_by)`,
  );
  const insAssignment = db.prepare(
    `INSERT OR IGNORE INTO assignments (id, recorder_serial, officer_number, from_ms, to_ms, supersedes, reason, created_at, created_by)
     VALUES (@id, @recorder_serial, @officer_number, @from_ms, @to_ms, @supersedes, @reason, @created_at, @created_by)`,
  );
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  db.transaction(() => {
    for (const { entry } of rows) {
      const e = JSON.parse(entry) as { at: string; type: string; actor?: { user?: string }; data: Record<string, unknown> };
      const d = e.data;
      if (e.type === 'registry.recorder.added') {
        counts.recorders += insRecorder.run({ serial: s(d.serial), make: s(d.make), model: s(d.model), unit: s(d.unit), usb_serial: s(d.usb_serial), registered_at: s(d.registered_at) ?? e.at, registered_by: s(d.registered_by) ?? e.actor?.user ?? '' }).changes;
      } else if (e.type === 'registry.officer.added') {
        counts.officers += insOfficer.run({ number: s(d.number), name: s(d.name), unit: s(d.unit), registered_at: s(d.registered_at) ?? e.at, registered_by: s(d.registered_by) ?? e.actor?.user ?? '' }).changes;
      } else {
        counts.assignments += insAssignment.run({
          id: d.id,
          recorder_serial: s(d.recorder),
          officer_number: s(d.officer),
          from_ms: Date.parse(String(d.from)),
          to_ms: typeof d.to === 'string' ? Date.parse(d.to) : null,
          supersedes: typeof d.supersedes === 'number' ? d.supersedes : null,
          reason: s(d.reason),
          created_at: e.at,
          created_by: e.actor?.user ?? '',
        }).changes;
      }
    }
  })();
  return counts;
}
