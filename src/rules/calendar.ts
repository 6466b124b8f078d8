// The working-day calendar (pure): built-in PRC schedules plus admin override files, which win.
//
// Override file format — <home>/calendar/<year>.json, installed by `evidock calendar import`
// (see config/calendar/README.md):
//
//   {
//     "year": 2027,
//     "mode": "replace",            // optional; "replace" (default) or "merge"
//     "source": "国办发明电〔2026〕N号", // optional free text: where the schedule comes from
//     "holidays": [ { "date": "2027-01-01", "name": "元旦" }, ... ],
//     "workdays": [ { "date": "2027-02-07", "name": "春节调休上班" }, ... ]
//   }
//
// "replace": the file is the complete schedule of that year; the built-in one is ignored and a
//            year with no built-in schedule becomes known.
// "merge":   the built-in schedule stays (it must exist, else the year stays unknown); each day
//            listed in the file wins over the built-in entry for that date (e.g. a local holiday).
// Every other day of a known year is a working day Monday–Friday and a rest day on weekends.
// A year with neither a built-in schedule nor a replace file is unknown: never guessed.

import { createHash } from 'node:crypto';
import { builtinSchedules, type NamedDay, type YearSchedule } from './chineseDays.js';
import { isWeekend, parseLocalDate, yearOf, type LocalDate } from './dates.js';

export type { NamedDay, YearSchedule } from './chineseDays.js';

export interface CalendarOverride extends YearSchedule {
  mode: 'replace' | 'merge';
  source?: string;
  /** Identifies the file's exact content: 'sha256:<first 16 hex>' of its bytes. */
  hash: string;
  /** Where it came from (file name), for messages. */
  origin?: string;
}

export type DayKind = 'holiday' | 'adjusted-workday' | 'weekday' | 'weekend';

export type DayInfo =
  | { date: LocalDate; known: true; working: boolean; kind: DayKind; name?: string; source: string }
  | { date: LocalDate; known: false; reason: string };

export interface YearStatus {
  year: number;
  known: boolean;
  /** 'builtin', 'override' (replace) or 'builtin+override' (merge). */
  source: 'builtin' | 'override' | 'builtin+override' | 'none';
  /** Short, stable identification of the data used for this year. */
  version: string;
  holidays: NamedDay[];
  workdays: NamedDay[];
}

// --- validation of override files -----------------------------------------------------------

export interface OverrideParseResult {
  ok: boolean;
  override?: CalendarOverride;
  /** Each problem as '<json path>: <what is wrong>'. */
  errors: string[];
  warnings: string[];
}

export function contentHash(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/**
 * Parses and validates the text of an override file. `expectedYear` (from the file name
 * <year>.json) must match the year inside when given.
 */
export function parseCalendarOverride(text: string, origin?: string, expectedYear?: number): OverrideParseResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`$: not valid JSON (${(e as Error).message})`], warnings };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: ['$: must be an object with year, holidays, workdays'], warnings };
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['year', 'mode', 'source', 'holidays', 'workdays', '$comment'].includes(k)) errors.push(`$.${k}: unknown key`);
  }
  const year = o.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1990 || year > 2200) {
    errors.push('$.year: must be an integer year such as 2027');
  } else if (expectedYear !== undefined && year !== expectedYear) {
    errors.push(`$.year: ${year} does not match the file name (${expectedYear}.json)`);
  }
  const mode = o.mode ?? 'replace';
  if (mode !== 'replace' && mode !== 'merge') errors.push('$.mode: must be "replace" or "merge"');
  if (o.source !== undefined && typeof o.source !== 'string') errors.push('$.source: must be text');

  const readList = (key: 'holidays' | 'workdays'): NamedDay[] => {
    const list = o[key] ?? [];
    if (!Array.isArray(list)) {
      errors.push(`$.${key}: must be a list of {"date": "YYYY-MM-DD", "name": "..."}`);
      return [];
    }
    const out: NamedDay[] = [];
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const at = `$.${key}[${i}]`;
      if (typeof item !== 'object' || item === null) {
        errors.push(`${at}: must be {"date": "YYYY-MM-DD", "name": "..."}`);
        return;
      }
      const { date, name, nameEn } = item as Record<string, unknown>;
      if (typeof date !== 'string' || !parseLocalDate(date)) {
        errors.push(`${at}.date: ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
        return;
      }
      if (typeof name !== 'string' || name.trim() === '') {
        errors.push(`${at}.name: a name is required (e.g. "春节")`);
        return;
      }
      if (typeof year === 'number' && yearOf(date) !== year) {
        errors.push(`${at}.date: ${date} is outside the year ${year}`);
        return;
      }
      if (seen.has(date)) {
        errors.push(`${at}.date: ${date} is listed twice`);
        return;
      }
      seen.add(date);
      if (key === 'workdays' && !isWeekend(date)) {
        warnings.push(`${at}.date: ${date} is a Monday–Friday already; listing it as a working day changes nothing unless it overrides a built-in holiday`);
      }
      out.push(typeof nameEn === 'string' ? { date, name, nameEn } : { date, name });
    });
    out.sort((a, b) => (a.date < b.date ? -1 : 1));
    return out;
  };
  const holidays = readList('holidays');
  const workdays = readList('workdays');
  const holidayDates = new Set(holidays.map((d) => d.date));
  for (const w of workdays) {
    if (holidayDates.has(w.date)) errors.push(`$.workdays: ${w.date} is also listed as a holiday; a day is one or the other`);
  }
  if (mode === 'replace' && holidays.length === 0 && (!Array.isArray(o.holidays) || o.holidays.length === 0)) {
    errors.push('$.holidays: a "replace" schedule with no holidays cannot be right (use "merge" to add single days)');
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  const override: CalendarOverride = {
    year: year as number,
    mode: mode as 'replace' | 'merge',
    holidays,
    workdays,
    hash: contentHash(text),
  };
  if (typeof o.source === 'string') override.source = o.source;
  if (origin !== undefined) override.origin = origin;
  return { ok: true, override, errors, warnings };
}

// --- the calendar -----------------------------------------------------------------------------

interface Resolved {
  status: YearStatus;
  days: Map<LocalDate, { working: boolean; name: string; kind: 'holiday' | 'adjusted-workday' }>;
}

export interface CalendarOptions {
  /** Built-in schedules; defaults to chinese-days. Tests may pass synthetic ones. */
  builtin?: { version: string; schedules: Map<number, YearSchedule> };
  overrides?: CalendarOverride[];
}

export class WorkingCalendar {
  readonly builtinVersion: string;
  private readonly years = new Map<number, Resolved>();
  private readonly builtin: Map<number, YearSchedule>;
  private readonly overrides = new Map<number, CalendarOverride>();

  constructor(opts: CalendarOptions = {}) {
    const b = opts.builtin ?? builtinSchedules();
    this.builtinVersion = b.version;
    this.builtin = b.schedules;
    for (const o of opts.overrides ?? []) {
      if (this.overrides.has(o.year)) throw new Error(`two calendar overrides for ${o.year}`);
      this.overrides.set(o.year, o);
    }
  }

  private resolve(year: number): Resolved {
    let r = this.years.get(year);
    if (r) return r;
    const b = this.builtin.get(year);
    const o = this.overrides.get(year);
    const days: Resolved['days'] = new Map();
    const put = (s: { holidays: NamedDay[]; workdays: NamedDay[] }): void => {
      for (const d of s.holidays) days.set(d.date, { working: false, name: d.name, kind: 'holiday' });
      for (const d of s.workdays) days.set(d.date, { working: true, name: d.name, kind: 'adjusted-workday' });
    };
    let status: YearStatus;
    if (o && o.mode === 'replace') {
      put(o);
      status = { year, known: true, source: 'override', version: `${year}:override@${o.hash}`, holidays: [], workdays: [] };
    } else if (b) {
      put(b);
      if (o) put(o);
      status = {
        year,
        known: true,
        source: o ? 'builtin+override' : 'builtin',
        version: o ? `${year}:${this.builtinVersion}+override@${o.hash}` : `${year}:${this.builtinVersion}`,
        holidays: [],
        workdays: [],
      };
    } else {
      status = { year, known: false, source: 'none', version: `${year}:unknown`, holidays: [], workdays: [] };
    }
    const sorted = [...days.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    for (const [date, d] of sorted) {
      (d.working ? status.workdays : status.holidays).push({ date, name: d.name });
    }
    r = { status, days };
    this.years.set(year, r);
    return r;
  }

  yearStatus(year: number): YearStatus {
    return this.resolve(year).status;
  }

  isYearKnown(year: number): boolean {
    return this.resolve(year).status.known;
  }

  /** Years with a built-in or override schedule, ascending. */
  knownYears(): number[] {
    const ys = new Set<number>([...this.builtin.keys()]);
    for (const o of this.overrides.values()) if (o.mode === 'replace') ys.add(o.year);
    return [...ys].sort((a, b) => a - b);
  }

  dayInfo(date: LocalDate): DayInfo {
    if (!parseLocalDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    const r = this.resolve(yearOf(date));
    if (!r.status.known) {
      return { date, known: false, reason: `no holiday schedule for ${yearOf(date)} (install it with \`evidock calendar import <file>\`)` };
    }
    const d = r.days.get(date);
    if (d) return { date, known: true, working: d.working, kind: d.kind, name: d.name, source: r.status.source };
    const weekend = isWeekend(date);
    return { date, known: true, working: !weekend, kind: weekend ? 'weekend' : 'weekday', source: r.status.source };
  }

  /** true / false, or null when the year's schedule is unknown. */
  isWorkingDay(date: LocalDate): boolean | null {
    const i = this.dayInfo(date);
    return i.known ? i.working : null;
  }

  /** The calendar version to record with a result that used these years. */
  versionFor(years: Iterable<number>): string {
    return [...new Set(years)]
      .sort((a, b) => a - b)
      .map((y) => this.resolve(y).status.version)
      .join(',');
  }
}

/**
 * The December warning: from 1 December (station date) on, if next year's schedule is missing;
 * at any time of year, if the current year's is. Null when there is nothing to warn about.
 */
export function missingNextYearWarning(cal: WorkingCalendar, today: LocalDate): string | null {
  const p = parseLocalDate(today);
  if (!p) return null;
  const year = !cal.isYearKnown(p.year) ? p.year : p.month === 12 && !cal.isYearKnown(p.year + 1) ? p.year + 1 : null;
  if (year === null) return null;
  return (
    `calendar: no public-holiday schedule for ${year}; deadlines of recordings made in ${year} are ` +
    `reported as "calendar unknown". When the State Council publishes the ${year} arrangement, ` +
    `write it as a calendar file (format: config/calendar/README.md) and install it with ` +
    `\`evidock calendar import <file>\`: it goes to <home>/calendar/${year}.json.`
  );
}
