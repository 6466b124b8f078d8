// Calendar dates and station-time-zone arithmetic, pure (Intl only, no I/O).
//
// A LocalDate is a civil date 'YYYY-MM-DD' in the station's time zone. Instants are epoch
// milliseconds (UTC). The station zone is an IANA name (default Asia/Shanghai, UTC+8 with no DST
// since 1991); zones with DST are handled correctly too, through Intl.

export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Parses 'YYYY-MM-DD' into its parts, or null when it is not a real calendar date. */
export function parseLocalDate(s: string): { year: number; month: number; day: number } | null {
  const m = DATE_RE.exec(s);
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

// --- time zones -------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when tz is an IANA zone name this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock fields of an instant in zone tz (seconds precision). */
export function toLocalDateTime(instantMs: number, tz: string): LocalDateTime {
  if (!Number.isFinite(instantMs)) throw new RangeError(`not an instant: ${instantMs}`);
  const parts = formatter(tz).formatToParts(new Date(instantMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The civil date of an instant in zone tz. */
export function localDateOf(instantMs: number, tz: string): LocalDate {
  const l = toLocalDateTime(instantMs, tz);
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}`;
}

/** Offset of tz from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function offsetAt(instantMs: number, tz: string): number {
  const l = toLocalDateTime(instantMs, tz);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  const floored = Math.floor(instantMs / 1000) * 1000;
  return asUtc - floored;
}

/**
 * The instant at which the wall clock in tz shows the given fields. For a wall time skipped by a
 * DST jump the result is shifted forward by the jump; for a repeated one, the earlier instant.
 */
export function zonedToInstant(l: LocalDateTime, tz: string, ms = 0): number {
  const guess = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, ms);
  const off1 = offsetAt(guess, tz);
  let t = guess - off1;
  const off2 = offsetAt(t, tz);
  if (off2 !== off1) {
    const t2 = guess - off2;
    t = offsetAt(t2, tz) === off2 ? Math.min(t, t2) : Math.max(t, t2);
  }
  return t;
}

/** The instant of 00:00 at the start of a civil date in tz. */
export function startOfLocalDate(date: LocalDate, tz: string): number {
  const p = parseLocalDate(date);
  if (!p) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return zonedToInstant({ ...p, hour: 0, minute: 0, second: 0 }, tz);
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
  const m = LOCAL_TIME_RE.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  if (!parseLocalDate(date) || hour > 23 || minute > 59 || second > 59) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return zonedToInstant({ year, month, day, hour, minute, second }, tz, ms);
}

/** ISO-8601 text of an instant with the zone's offset, e.g. '2026-02-24T00:00:00+08:00'. */
export function formatInstant(instantMs: number, tz: string): string {
  const l = toLocalDateTime(instantMs, tz);
  const off = offsetAt(instantMs, tz) / 60_000;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return (
    `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}` +
    `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
  );
}
