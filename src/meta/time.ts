// Wall-clock times in an IANA zone <-> instants, without a date library.
// Recorders write local times without a zone; the station's zone (default Asia/Shanghai) says
// what instant they mean. Everything we print carries its offset.

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True if `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at instant `ms`, in minutes (Asia/Shanghai: +480). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  return Math.round((asUtc - wholeSeconds) / 60_000);
}

/** Checks the fields of a wall time (a real calendar date, hour < 24, ...). */
export function isValidWallTime(w: WallTime): boolean {
  if (![w.year, w.month, w.day, w.hour, w.minute, w.second].every(Number.isInteger)) return false;
  if (w.year < 1970 || w.year > 9999 || w.month < 1 || w.month > 12 || w.day < 1) return false;
  if (w.hour > 23 || w.minute > 59 || w.second > 59 || w.hour < 0 || w.minute < 0 || w.second < 0) return false;
  const daysInMonth = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= daysInMonth;
}

/** The instant (ms since epoch) a wall time in `timeZone` denotes. */
export function wallTimeToInstant(w: WallTime, timeZone: string): number {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond ?? 0);
  let offset = zoneOffsetMinutes(naive, timeZone);
  let instant = naive - offset * 60_000;
  const again = zoneOffsetMinutes(instant, timeZone);
  if (again !== offset) {
    offset = again;
    instant = naive - offset * 60_000;
  }
  return instant;
}

/** The instant of a wall time with an explicit offset in minutes. */
export function wallTimeWithOffsetToInstant(w: WallTime, offsetMinutes: number): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond ?? 0) - offsetMinutes * 60_000;
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return '+00:00';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** ISO 8601 in `timeZone` with its offset: 2026-03-15T08:30:00+08:00 (milliseconds only when not 0). */
export function formatInZone(ms: number, timeZone: string): string {
  const offset = zoneOffsetMinutes(ms, timeZone);
  const d = new Date(ms + offset * 60_000);
  const millis = d.getUTCMilliseconds();
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    (millis ? `.${pad(millis, 3)}` : '') +
    formatOffset(offset)
  );
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
  const m = /^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i.exec(text);
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
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(t);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) return null;
  return m[1] === '-' ? -minutes : minutes;
}
