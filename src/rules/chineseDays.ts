// The ONE place evidock uses the `chinese-days` package.
//
// Why a wrapper: chinese-days answers for any date. For a year whose State Council schedule it
// does not carry (2027 in 1.5.x) it silently falls back to "Monday–Friday are working days",
// which would make every deadline in that year a guess. Its functions also compute weekdays with
// the process's local time zone on dates parsed as UTC, so on a server not set to UTC+x they are
// off by one day. We therefore take only its published data file (dist/chinese-days.json,
// documented in its README), split it per year, and treat a year with no entry as unknown.

import { createRequire } from 'node:module';
import { isLocalDate, yearOf, type LocalDate } from './dates.js';

export interface NamedDay {
  date: LocalDate;
  /** Chinese name of the festival, e.g. 春节. */
  name: string;
  /** English name, when known. */
  nameEn?: string;
}

/** One year's official schedule: public holidays and adjusted working days (调休上班). */
export interface YearSchedule {
  year: number;
  holidays: NamedDay[];
  workdays: NamedDay[];
}

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
  inLieuDays?: Record<string, string>;
}

function splitName(raw: string): { name: string; nameEn?: string } {
  // "Spring Festival,春节,4" -> en, zh, festival-days
  const parts = raw.split(',');
  if (parts.length >= 2) return { name: parts[1]!, nameEn: parts[0]! };
  return { name: raw };
}

/** Splits chinese-days' data into per-year schedules; exported for tests with synthetic data. */
export function schedulesFromChineseDaysData(data: ChineseDaysData): Map<number, YearSchedule> {
  const out = new Map<number, YearSchedule>();
  const year = (y: number): YearSchedule => {
    let s = out.get(y);
    if (!s) {
      s = { year: y, holidays: [], workdays: [] };
      out.set(y, s);
    }
    return s;
  };
  for (const [date, raw] of Object.entries(data.holidays)) {
    if (!isLocalDate(date)) continue;
    year(yearOf(date)).holidays.push({ date, ...splitName(raw) });
  }
  for (const [date, raw] of Object.entries(data.workdays)) {
    if (!isLocalDate(date)) continue;
    year(yearOf(date)).workdays.push({ date, ...splitName(raw) });
  }
  for (const s of out.values()) {
    s.holidays.sort((a, b) => (a.date < b.date ? -1 : 1));
    s.workdays.sort((a, b) => (a.date < b.date ? -1 : 1));
  }
  // A year counts as known only if it has public holidays listed: a year that merely has an
  // adjusted working day (e.g. a January make-up day for the previous year's arrangement) is
  // not a schedule.
  for (const [y, s] of out) if (s.holidays.length === 0) out.delete(y);
  return out;
}

let cached: { version: string; schedules: Map<number, YearSchedule> } | undefined;

/** The built-in schedules from chinese-days, keyed by year, and the package version. */
export function builtinSchedules(): { version: string; schedules: Map<number, YearSchedule> } {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const data = require('chinese-days/dist/chinese-days.json') as ChineseDaysData;
    const pkg = require('chinese-days/package.json') as { version: string };
    cached = { version: `chinese-days@${pkg.version}`, schedules: schedulesFromChineseDaysData(data) };
  }
  return cached;
}
