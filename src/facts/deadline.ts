// Art. 10 deadline facts: evaluate an original from what the catalog holds (its recording time,
// clock flags, the officer's field trips), record the fact with its audit entry, and re-evaluate
// after a trip registration or calendar import (a new fact where the result differs, never an edit).
import { appendAuditEntry } from '../audit/log.js';
import type { Json } from '../lib/json.js';
import { checkClocks, distrustsTime, evaluateDeadline, type DeadlineResult, type FieldTrip, type TimeCandidate } from '../rules/index.js';
import { findOriginal, type OriginalRow } from '../store/records.js';
import {
  clockFlagsOf,
  currentDeadlineFact,
  insertDeadlineFact,
  recordingTimes,
  tripsOfOfficer,
  type DeadlineFactRow,
  type FieldTripRow,
  type RecordingTimeRow,
  type StoredDeadlineFact,
} from '../store/rules-facts.js';
import { clockOptions } from './clock-flags.js';
import { nowOf, type FactsEnv } from './context.js';
import { attributionOf, type Attribution } from './recording-facts.js';

export const isoOrNull = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function toTrip(r: FieldTripRow): FieldTrip {
  return { id: r.id, officer: r.officer_id, from: r.from_at, to: r.to_at, reason: r.reason };
}

function factRow(o: OriginalRow, who: Attribution, r: DeadlineResult, cause: string, at: Date, supersedes: number | null): DeadlineFactRow {
  return {
    evidence_number: o.evidence_number,
    officer_id: who.officer,
    recorder_id: who.recorder,
    unit: who.unit,
    made_at: r.madeAt,
    made_at_source: r.madeAtSource,
    time_flagged: r.timeFlagged ? 1 : 0,
    made_on: r.madeOn,
    due_at: r.dueAt,
    working_day_due_at: r.workingDayDueAt,
    trip_due_at: r.tripDueAt,
    trip_id: typeof r.tripId === 'number' ? r.tripId : null,
    held_at: r.heldAt,
    status: r.status,
    unknown_reason: r.unknownReason ?? null,
    detail: r.detail ?? null,
    late_hours: r.lateHours ?? null,
    late_working_days: r.lateWorkingDays ?? null,
    rule: r.rule,
    calendar_version: r.calendarVersion,
    time_zone: r.timeZone,
    cause,
    evaluated_at: at.toISOString(),
    supersedes,
  };
}

function auditData(row: DeadlineFactRow, previous?: StoredDeadlineFact): Record<string, Json> {
  const d: Record<string, Json> = {
    evidenceNumber: row.evidence_number,
    officer: row.officer_id,
    status: row.status,
    madeAt: isoOrNull(row.made_at),
    madeAtSource: row.made_at_source,
    timeFlagged: row.time_flagged === 1,
    dueAt: isoOrNull(row.due_at),
    heldAt: isoOrNull(row.held_at),
    tripId: row.trip_id,
    unknownReason: row.unknown_reason,
    lateHours: row.late_hours,
    lateWorkingDays: row.late_working_days,
    rule: row.rule,
    calendarVersion: row.calendar_version,
    timeZone: row.time_zone,
    cause: row.cause,
  };
  if (previous) d.previous = { status: previous.status, dueAt: isoOrNull(previous.due_at), calendarVersion: previous.calendar_version };
  return d;
}

/** Evaluates an original's deadline from its recorded time and flags (pure rules, catalog input). */
export function evaluateOriginal(env: FactsEnv, o: OriginalRow, times: RecordingTimeRow | undefined, officer: string | null): DeadlineResult {
  const flags = clockFlagsOf(env.db, o.evidence_number).filter(distrustsTime);
  const start: TimeCandidate | null = times?.start_at != null ? { at: times.start_at, source: times.start_source ?? 'recording-start' } : null;
  const fallbacks: TimeCandidate[] = [];
  // The file's mtime comes from the same recorder clock: usable only if that clock passed the checks.
  if (o.source_mtime_ms !== null && flags.length === 0 && times?.docked_at != null) {
    const mtimeFlags = checkClocks([{ id: 'mtime', start: o.source_mtime_ms }], { dockedAt: times.docked_at }, clockOptions(env.config));
    if (mtimeFlags.length === 0) fallbacks.push({ at: o.source_mtime_ms, source: 'file-mtime' });
  }
  if (times?.docked_at != null) fallbacks.push({ at: times.docked_at, source: 'docked-at' });
  const trips = officer ? tripsOfOfficer(env.db, officer).map(toTrip) : [];
  return evaluateDeadline(
    { start, startTrusted: flags.length === 0, fallbacks, heldAt: Date.parse(o.held_at), trips },
    { calendar: env.calendar, timeZone: env.config.station.timezone },
  );
}

/** Records an evaluated deadline as a fact with its audit entry (one transaction). */
function storeDeadlineFact(env: FactsEnv, o: OriginalRow, who: Attribution, result: DeadlineResult, cause: string, previous: StoredDeadlineFact | undefined): StoredDeadlineFact {
  const now = nowOf(env);
  const row = factRow(o, who, result, cause, now, previous?.id ?? null);
  return env.db.transaction(() => {
    const id = insertDeadlineFact(env.db, row);
    appendAuditEntry(env.db, {
      type: previous ? 'deadline.reevaluated' : result.status === 'late' ? 'deadline.late' : 'deadline.evaluated',
      data: auditData(row, previous),
      actor: env.actor,
      at: now,
    });
    return { ...row, id };
  })();
}

/** Evaluates and records the deadline fact of an original attributed to `who`. */
export function recordDeadline(env: FactsEnv, o: OriginalRow, who: Attribution, cause: string): StoredDeadlineFact {
  const [times] = recordingTimes(env.db, [o.evidence_number]);
  const previous = currentDeadlineFact(env.db, o.evidence_number);
  return storeDeadlineFact(env, o, who, evaluateOriginal(env, o, times, who.officer), cause, previous);
}

/**
 * Re-evaluates originals after a trip registration or calendar import: a new fact (and audit
 * entry) only where the result differs from the current one. Returns how many changed.
 */
export function reevaluate(env: FactsEnv, evidenceNumbers: Iterable<string>, cause: string): { examined: number; changed: string[] } {
  let examined = 0;
  const changed: string[] = [];
  for (const e of evidenceNumbers) {
    examined++;
    const o = findOriginal(env.db, e);
    if (!o) continue;
    const previous = currentDeadlineFact(env.db, e);
    const [times] = recordingTimes(env.db, [e]);
    const who = attributionOf(env.db, o);
    const r = evaluateOriginal(env, o, times, who.officer);
    if (previous && previous.status === r.status && previous.due_at === r.dueAt && previous.calendar_version === r.calendarVersion && previous.made_at === r.madeAt) continue;
    storeDeadlineFact(env, o, who, r, cause, previous);
    changed.push(e);
  }
  return { examined, changed };
}
