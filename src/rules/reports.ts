// Reports as pure aggregations over deadline facts (one row per held recording).

import type { DeadlineStatus } from './deadline.js';

export interface DeadlineRow {
  recording: string;
  officer: string | null;
  unit?: string | null;
  recorder?: string | null;
  madeAt: number | null;
  heldAt: number;
  dueAt: number | null;
  status: DeadlineStatus;
  lateHours?: number | null;
  lateWorkingDays?: number | null;
  unknownReason?: string | null;
}

export interface LateFilter {
  /** Recordings made (or, without a time, held) in [from, to), epoch ms. */
  from?: number;
  to?: number;
  officer?: string;
  unit?: string;
}

function inRange(r: DeadlineRow, f: LateFilter): boolean {
  const t = r.madeAt ?? r.heldAt;
  if (f.from !== undefined && t < f.from) return false;
  if (f.to !== undefined && t >= f.to) return false;
  if (f.officer !== undefined && r.officer !== f.officer) return false;
  if (f.unit !== undefined && r.unit !== f.unit) return false;
  return true;
}

/** Late recordings matching the filter, most late first (ties: by recording). */
export function lateList(rows: Iterable<DeadlineRow>, f: LateFilter = {}): DeadlineRow[] {
  const out: DeadlineRow[] = [];
  for (const r of rows) if (r.status === 'late' && inRange(r, f)) out.push(r);
  return out.sort((a, b) => (b.lateHours ?? 0) - (a.lateHours ?? 0) || (a.recording < b.recording ? -1 : a.recording > b.recording ? 1 : 0));
}

export interface OfficerCompliance {
  officer: string | null;
  recordings: number;
  onTime: number;
  late: number;
  unknown: number;
  /** Median hours from recording to held, over recordings with a known time; null if none. */
  medianHoursToHeld: number | null;
  /** The largest lateness in hours, and in working days; null when nothing was late. */
  worstLateHours: number | null;
  worstLateWorkingDays: number | null;
}

interface Acc {
  officer: string | null;
  recordings: number;
  onTime: number;
  late: number;
  unknown: number;
  hours: Float64Array;
  nHours: number;
  worstLateHours: number | null;
  worstLateWorkingDays: number | null;
}

/** Streaming per-officer compliance: add() rows one by one (a million is fine), then result(). */
export class ComplianceAccumulator {
  private readonly byOfficer = new Map<string | null, Acc>();
  constructor(private readonly filter: LateFilter = {}) {}

  add(r: DeadlineRow): void {
    if (!inRange(r, this.filter)) return;
    this.addFields(r.officer, r.status, r.madeAt, r.heldAt, r.lateHours ?? null, r.lateWorkingDays ?? null);
  }

  /** The same as add() without building an object per row (for the catalog's raw rows). */
  addFields(
    officer: string | null,
    status: DeadlineStatus,
    madeAt: number | null,
    heldAt: number,
    lateHours: number | null,
    lateWorkingDays: number | null,
  ): void {
    let a = this.byOfficer.get(officer);
    if (!a) {
      a = { officer, recordings: 0, onTime: 0, late: 0, unknown: 0, hours: new Float64Array(64), nHours: 0, worstLateHours: null, worstLateWorkingDays: null };
      this.byOfficer.set(officer, a);
    }
    a.recordings++;
    if (status === 'on-time') a.onTime++;
    else if (status === 'late') {
      a.late++;
      if (lateHours !== null && (a.worstLateHours === null || lateHours > a.worstLateHours)) a.worstLateHours = lateHours;
      if (lateWorkingDays !== null && (a.worstLateWorkingDays === null || lateWorkingDays > a.worstLateWorkingDays)) a.worstLateWorkingDays = lateWorkingDays;
    } else a.unknown++;
    if (madeAt !== null) {
      if (a.nHours === a.hours.length) {
        const bigger = new Float64Array(a.hours.length * 2);
        bigger.set(a.hours);
        a.hours = bigger;
      }
      a.hours[a.nHours++] = (heldAt - madeAt) / 3_600_000;
    }
  }

  result(): OfficerCompliance[] {
    const out: OfficerCompliance[] = [];
    for (const a of this.byOfficer.values()) {
      out.push({
        officer: a.officer,
        recordings: a.recordings,
        onTime: a.onTime,
        late: a.late,
        unknown: a.unknown,
        medianHoursToHeld: median(a.hours.subarray(0, a.nHours)),
        worstLateHours: a.worstLateHours,
        worstLateWorkingDays: a.worstLateWorkingDays,
      });
    }
    return out.sort((x, y) => {
      if (x.officer === y.officer) return 0;
      if (x.officer === null) return 1;
      if (y.officer === null) return -1;
      return x.officer < y.officer ? -1 : 1;
    });
  }
}

export function compliance(rows: Iterable<DeadlineRow>, f: LateFilter = {}): OfficerCompliance[] {
  const acc = new ComplianceAccumulator(f);
  for (const r of rows) acc.add(r);
  return acc.result();
}

/** Median of numbers (mean of the two middle ones for an even count); null for none. */
export function median(values: Float64Array | number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const a = Float64Array.from(values).sort();
  return n % 2 === 1 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
}
