// evidock report late|compliance: who stored recordings after the Art. 10 deadline.
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { complianceReport, lateReport } from '../facts/index.js';
import type { FactFilter } from '../store/rules-facts.js';
import { openCli, printJson, table } from './context.js';
import { caseFilingSummary } from '../cases/case-files.js';
import { stationToday } from '../cases/due-date.js';
import { parseFormat, parsePeriod, type ReportFormat } from './rules-args.js';

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
    ...parsePeriod(opts, tz),
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
    const cli = openCli(cmd, { readOnlyOk: true });
    try {
      const format = parseFormat(opts);
      const tz = cli.config.station.timezone;
      const rows = lateReport(cli.db, filterOf(opts, tz), tz);
      cli.logRead('report.read', { report: 'late', from: opts.from, to: opts.to, officer: opts.officer, unit: opts.unit, rows: rows.length });
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
    const cli = openCli(cmd, { readOnlyOk: true });
    try {
      const format = parseFormat(opts);
      const rows = complianceReport(cli.db, filterOf(opts, cli.config.station.timezone));
      cli.logRead('report.read', { report: 'compliance', from: opts.from, to: opts.to, officer: opts.officer, unit: opts.unit, rows: rows.length });
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
      if (format === 'table') {
        const cases = caseFilingSummary(cli.db, stationToday(cli.config.station.timezone));
        if (cases.open) process.stdout.write(`\ncase files (Art. 11): ${cases.open} not yet filed, ${cases.overdue} overdue${cases.overdue ? `: ${cases.overdueRefs.join(', ')}` : ''}\n`);
      }
    } finally {
      cli.close();
    }
  });
}
