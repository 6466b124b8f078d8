// Parsing of times and formats shared by the rules commands (calendar, trips, gaps, report).
import { endOfLocalDate, isLocalDate, parseZonelessLocalTime, startOfLocalDate } from '../rules/index.js';
import { CliError } from './context.js';

const WITH_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A time given on the command line: ISO with a zone ('2026-03-10T08:00:00+08:00', '...Z'), a
 * station-local time ('2026-03-10 08:00' or with seconds), or a date ('2026-03-10': its start,
 * or with `endOfDay` its 24:00). Throws a CliError naming the option.
 */
export function parseTimeArg(option: string, text: string, tz: string, endOfDay = false): number {
  const t = text.trim();
  if (isLocalDate(t)) return endOfDay ? endOfLocalDate(t, tz) : startOfLocalDate(t, tz);
  if (WITH_ZONE.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  } else {
    const withSeconds = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$/.test(t) ? `${t}:00` : t;
    const ms = parseZonelessLocalTime(withSeconds, tz);
    if (ms !== null) return ms;
  }
  throw new CliError(`${option} ${JSON.stringify(text)}: give a date (2026-03-10), a station time (2026-03-10 08:30) or an ISO time with zone (2026-03-10T00:30:00Z)`);
}

export type ReportFormat = 'table' | 'csv' | 'json';

export function parseFormat(opts: { format?: string; json?: boolean }): ReportFormat {
  if (opts.json) return 'json';
  const f = opts.format ?? 'table';
  if (f !== 'table' && f !== 'csv' && f !== 'json') throw new CliError(`--format ${JSON.stringify(f)}: use table, csv or json`);
  return f;
}

/** `--from`/`--to` (either may be absent): a date's start and a date's 24:00, as instants. */
export function parsePeriod(opts: { from?: string; to?: string }, tz: string): { from?: number; to?: number } {
  return {
    from: opts.from ? parseTimeArg('--from', opts.from, tz) : undefined,
    to: opts.to ? parseTimeArg('--to', opts.to, tz, true) : undefined,
  };
}
