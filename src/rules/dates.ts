// Calendar dates and station-time-zone arithmetic, pure (no I/O; the zone itself through lib/time-zone.ts).
//
// A LocalDate is a civil date 'YYYY-MM-DD' in the station's time zone. Instants are epoch
// milliseconds (UTC). The station zone is an IANA name (default Asia/Shanghai, UTC+8 with no DST
// since 1991); zones with DST are handled correctly too, through Intl.

import { formatInZone, wallTimeToInstant } from '../lib/time-zone.js';

export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Parses 'YYYY-MM-DD' into its parts, or null when it is not a real calendar date. */
export function parseLocalDate(s: string): { year: number; month: number; day: number } | null {
  const m = s.match(DATE_RE);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  const t = Date.UTC(year, month - 1, day);
  const back = new Date(t);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function isLocalDate(s: unknown): s is LocalDate {
  return typeof s === 'string' && parseLocalDate(s) !== null;
}

/** Days since 1970-01-01 of a civil date (proleptic Gregorian). */
export function dayNumber(date: LocalDate): number {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return Date.UTC(p.year, p.month - 1, p.day) / DAY_MS;
}

export function fromDayNumber(n: number): LocalDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(dayNumber(date) + days);
}

export function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(date: LocalDate): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: LocalDate): boolean {
  const w = weekday(date);
  return w === 0 || w === 6;
}

// --- time zones (lib/time-zone.ts) ------------------------------------------------------------

export { isValidTimeZone, localDateOf } from '../lib/time-zone.js';

/** The instant of 00:00 at the start of a civil date in tz. */
export function startOfLocalDate(date: LocalDate, tz: string): number {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return wallTimeToInstant({ ...p, hour: 0, minute: 0, second: 0 }, tz);
}

/** The instant of 24:00 at the end of a civil date in tz (= 00:00 of the next day). */
export function endOfLocalDate(date: LocalDate, tz: string): number {
  return startOfLocalDate(addDays(date, 1), tz);
}

const LOCAL_TIME_RE = /^(\d{4})[-:](\d{2})[-:](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/**
 * Reads a recorder's zone-less wall-clock time ('2026:11:27 08:15:00', EXIF style, or
 * '2026-11-27T08:15:00') in the station's zone. Null when the text is not such a time.
 */
export function parseZonelessLocalTime(text: string, tz: string): number | null {
  const m = text.trim().match(LOCAL_TIME_RE);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  if (!parseLocalDate(date) || hour > 23 || minute > 59 || second > 59) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return wallTimeToInstant({ year, month, day, hour, minute, second, millisecond: ms }, tz);
}

/** ISO-8601 text of an instant with the zone's offset, whole seconds: '2026-02-24T00:00:00+08:00'. */
export function formatInstant(instantMs: number, tz: string): string {
  return formatInZone(Math.floor(instantMs / 1000) * 1000, tz);
}
