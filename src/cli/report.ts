// evidock report late|compliance: who stored recordings after the Art. 10 deadline.
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { formatInstant, median, type OfficerCompliance } from '../rules/index.js';
import type { Db } from '../store/catalog.js';
import { currentDeadlineFacts, officerAggregatesAllFacts, supersededFacts, worstLatenessCurrent, type FactFilter, type SupersededFact } from '../store/rules-facts.js';
import { openCli, printJson, table } from './context.js';
import { parseFormat, parseTimeArg, type ReportFormat } from './rules-args.js';

const round2 = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Math.round(x * 100) / 100);

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

/** Parses SQLite's group_concat of integers ("12,-3,40") into a sorted Float64Array, fast. */
export function sortedIntegers(list: string | null): Float64Array {
  if (!list) return new Float64Array(0);
  let n = 1;
  for (let i = 0; i < list.length; i++) if (list.charCodeAt(i) === 44) n++;
  const out = new Float64Array(n);
  let k = 0;
  let v = 0;
  let neg = false;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[k++] = neg ? -v : v;
      v = 0;
      neg = false;
    } else if (c === 45) neg = true;
    else v = v * 10 + (c - 48);
  }
  out[k] = neg ? -v : v;
  return out.sort();
}

/** Removes one occurrence of each value (a multiset difference) from a sorted array. */
export function withoutValues(sorted: Float64Array, values: number[]): Float64Array {
  if (!values.length) return sorted;
  const drop = new Uint8Array(sorted.length);
  for (const v of values) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    while (lo < sorted.length && sorted[lo] === v && drop[lo]) lo++;
    if (lo < sorted.length && sorted[lo] === v) drop[lo] = 1;
  }
  return sorted.filter((_, i) => !drop[i]);
}

/**
 * Per-officer compliance over current facts (same semantics as rules/ compliance()): SQLite
 * aggregates all facts on the covering index, the few superseded ones are subtracted here.
 */
export function complianceReport(db: Db, f: FactFilter): OfficerCompliance[] {
  const superseded = new Map<string | null, SupersededFact[]>();
  for (const s of supersededFacts(db, f)) {
    const l = superseded.get(s.officer) ?? [];
    l.push(s);
    superseded.set(s.officer, l);
  }
  const out: OfficerCompliance[] = [];
  for (const a of officerAggregatesAllFacts(db, f)) {
    const gone = superseded.get(a.officer) ?? [];
    let { recordings, onTime, late, unknown, worstLateHours, worstLateWorkingDays } = a;
    for (const g of gone) {
      recordings--;
      if (g.status === 'on-time') onTime--;
      else if (g.status === 'late') late--;
      else unknown--;
    }
    if (recordings === 0) continue;
    if (gone.some((g) => g.status === 'late' && (g.late_hours === worstLateHours || g.late_working_days === worstLateWorkingDays))) {
      ({ worstLateHours, worstLateWorkingDays } = worstLatenessCurrent(db, a.officer, f));
    }
    const ms = withoutValues(sortedIntegers(a.heldAfterMs), gone.filter((g) => g.made_at !== null).map((g) => g.held_at - g.made_at!));
    const m = median(ms);
    out.push({
      officer: a.officer,
      recordings,
      onTime,
      late,
      unknown,
      medianHoursToHeld: round2(m === null ? null : m / 3_600_000),
      worstLateHours: round2(worstLateHours),
      worstLateWorkingDays,
    });
  }
  return out.sort((x, y) => (x.officer === y.officer ? 0 : x.officer === null ? 1 : y.officer === null ? -1 : x.officer < y.officer ? -1 : 1));
}

function emit(format: ReportFormat, rows: Record<string, unknown>[], columns: [key: string, header: string][], empty: string): void {
  if (format === 'json') return printJson(rows);
  if (format === 'csv') {
    process.stdout.write(
      stringify(
        rows.map((r) => columns.map(([k]) => r[k] ?? '')),
        { header: true, columns: columns.map(([, h]) => h), escape_formulas: true },
      ),
    );
    return;
  }
  if (!rows.length) return void process.stdout.write(empty + '\n');
  process.stdout.write(table(columns.map(([, h]) => h), rows.map((r) => columns.map(([k]) => (r[k] === null || r[k] === undefined ? '' : String(r[k]))))));
}

interface ReportOpts {
  from?: string;
  to?: string;
  officer?: string;
  unit?: string;
  format?: string;
  json?: boolean;
}

function filterOf(opts: ReportOpts, tz: string): FactFilter {
  return {
    from: opts.from ? parseTimeArg('--from', opts.from, tz) : undefined,
    to: opts.to ? parseTimeArg('--to', opts.to, tz, true) : undefined,
    officer: opts.officer,
    unit: opts.unit,
  };
}

export function registerReport(program: Command): void {
  const report = program.command('report').description('Art. 10 reports: late recordings, per-officer compliance');
  const common = (c: Command) =>
    c
      .option('--from <time>', 'recordings made at or after (date, station time or ISO; default: all)')
      .option('--to <time>', 'recordings made before (a date alone: up to its 24:00)')
      .option('--officer <number>', 'only this officer')
      .option('--unit <code>', 'only this unit')
      .option('--format <format>', 'table, csv or json', 'table')
      .option('--json', 'same as --format json');

  common(report.command('late').description('each recording stored after its deadline, with due/held times and lateness')).action((opts: ReportOpts, cmd: Command) => {
    const cli = openCli(cmd);
    try {
      const format = parseFormat(opts);
      const tz = cli.config.station.timezone;
      const rows = lateReport(cli.db, filterOf(opts, tz), tz);
      emit(
        format,
        rows as unknown as Record<string, unknown>[],
        [
          ['evidenceNumber', 'evidence'],
          ['officer', 'officer'],
          ['unit', 'unit'],
          ['recorder', 'recorder'],
          ['madeAt', 'recorded'],
          ['dueAt', 'due'],
          ['heldAt', 'held'],
          ['lateHours', 'late_hours'],
          ['lateWorkingDays', 'late_working_days'],
          ['tripId', 'trip'],
          ['calendarVersion', 'calendar'],
        ],
        'no late recordings',
      );
    } finally {
      cli.close();
    }
  });

  common(report.command('compliance').description('per officer: recordings, on time, late, unknown, median hours to held, worst lateness')).action((opts: ReportOpts, cmd: Command) => {
    const cli = openCli(cmd);
    try {
      const format = parseFormat(opts);
      const rows = complianceReport(cli.db, filterOf(opts, cli.config.station.timezone));
      emit(
        format,
        rows as unknown as Record<string, unknown>[],
        [
          ['officer', 'officer'],
          ['recordings', 'recordings'],
          ['onTime', 'on_time'],
          ['late', 'late'],
          ['unknown', 'unknown'],
          ['medianHoursToHeld', 'median_hours_to_held'],
          ['worstLateHours', 'worst_late_hours'],
          ['worstLateWorkingDays', 'worst_late_working_days'],
        ],
        'no recordings evaluated',
      );
    } finally {
      cli.close();
    }
  });
}
