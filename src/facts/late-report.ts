// The late report (Art. 10): current deadline facts held after their deadline, most late
// first, with times in the station's zone.
import { formatInstant } from '../rules/index.js';
import type { Db } from '../store/catalog.js';
import { currentDeadlineFacts, type FactFilter } from '../store/rules-facts.js';

export const round2 = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Math.round(x * 100) / 100);

export interface LateRow {
  evidenceNumber: string;
  officer: string | null;
  unit: string | null;
  recorder: string | null;
  madeAt: string | null;
  madeAtSource: string | null;
  dueAt: string | null;
  heldAt: string;
  lateHours: number | null;
  lateWorkingDays: number | null;
  tripId: number | null;
  calendarVersion: string;
  rule: string;
}

/** Late recordings (current facts), most late first. */
export function lateReport(db: Db, f: FactFilter, tz: string): LateRow[] {
  return currentDeadlineFacts(db, { ...f, status: 'late' })
    .sort((a, b) => (b.late_hours ?? 0) - (a.late_hours ?? 0) || (a.evidence_number < b.evidence_number ? -1 : 1))
    .map((r) => ({
      evidenceNumber: r.evidence_number,
      officer: r.officer_id,
      unit: r.unit,
      recorder: r.recorder_id,
      madeAt: r.made_at === null ? null : formatInstant(r.made_at, tz),
      madeAtSource: r.made_at_source,
      dueAt: r.due_at === null ? null : formatInstant(r.due_at, tz),
      heldAt: formatInstant(r.held_at, tz),
      lateHours: round2(r.late_hours),
      lateWorkingDays: r.late_working_days,
      tripId: r.trip_id,
      calendarVersion: r.calendar_version,
      rule: r.rule,
    }));
}
