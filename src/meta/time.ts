// Date-time text as recorders and exiftool write it: parsed to wall times and offsets, checked,
// and UTC text out. Zone arithmetic (a wall time in the station's zone) is in lib/time-zone.ts.
import type { WallTime } from '../lib/time-zone.js';

/** Checks the fields of a wall time (a real calendar date, hour < 24, ...). */
export function isValidWallTime(w: WallTime): boolean {
  if (![w.year, w.month, w.day, w.hour, w.minute, w.second].every(Number.isInteger)) return false;
  if (w.year < 1970 || w.year > 9999 || w.month < 1 || w.month > 12 || w.day < 1) return false;
  if (w.hour > 23 || w.minute > 59 || w.second > 59 || w.hour < 0 || w.minute < 0 || w.second < 0) return false;
  const daysInMonth = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= daysInMonth;
}

/** The instant of a wall time with an explicit offset in minutes. */
export function wallTimeWithOffsetToInstant(w: WallTime, offsetMinutes: number): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond ?? 0) - offsetMinutes * 60_000;
}

/** ISO 8601 in UTC with Z, without milliseconds when they are 0: 2026-03-15T00:30:00Z. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * Parses the date-time forms recorders and exiftool write:
 * "2026:03:15 08:30:00", "2026-03-15T08:30:00.5", "2026:03:15 00:30:00.000000Z",
 * "2026-03-15 08:30:00+08:00". Returns the wall time and the offset if the text has one
 * (Z = 0), or null for anything else (including the all-zero "0000:00:00 00:00:00").
 */
export function parseDateTimeText(text: string): { wall: WallTime; offsetMinutes: number | null } | null {
  const m = text.match(/^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i);
  if (!m) return null;
  const wall: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    millisecond: m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0,
  };
  if (!isValidWallTime(wall)) return null;
  return { wall, offsetMinutes: m[8] ? parseOffset(m[8]) : null };
}

/** "+08:00", "+0800", "-05:30", "Z" -> minutes; null if malformed. */
export function parseOffset(text: string): number | null {
  const t = text.trim();
  if (/^z$/i.test(t)) return 0;
  const m = t.match(/^([+-])(\d{2}):?(\d{2})$/);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) return null;
  return m[1] === '-' ? -minutes : minutes;
}
