// Recorder file-name conventions: named-group regular expressions per recorder family.
// Groups: deviceId (GA/T 947 product serial, 7 chars), officer (警号, 6 chars), unit (12 chars),
// start (date-time digits, e.g. YYYYMMDDhhmmss) or date + time, seq. Configured conventions are
// tried first, then the built-in ones, in order; the first that matches wins.
// Names are data: a hostile name (very long, control characters, invalid UTF-8) matches nothing.
import { decodeUtf8OrGbk } from '../lib/text.js';
import { formatInZone, wallTimeToInstant, type WallTime } from '../lib/time-zone.js';
import { isValidWallTime } from './time.js';

export interface NameConvention {
  /** Recorder family, recorded with each match ("gat947", "dsj", or your own). */
  family: string;
  /** A regular expression with named groups, matched against the base name only. */
  pattern: RegExp;
}

export interface NameConventionSpec {
  family: string;
  /** Regular-expression source (from configuration); compiled with the "u" flag. */
  pattern: string;
  /** "i" to ignore case. */
  flags?: string;
}

export interface ParsedName {
  family: string;
  deviceId: string | null;
  officer: string | null;
  unit: string | null;
  /** Start time from the name, a station-local wall time, as ISO with the station offset. */
  start: string | null;
  seq: string | null;
}

const EXT = String.raw`\.[0-9A-Za-z]{1,5}`;

/** The built-in conventions, tried after any configured ones. */
export const BUILTIN_CONVENTIONS: readonly NameConvention[] = Object.freeze([
  {
    // GA/T 947 style: <serial 7>_<officer 6>_<YYYYMMDDhhmmss>_<seq>.<ext>
    family: 'gat947',
    pattern: new RegExp(String.raw`^(?<deviceId>[0-9A-Za-z]{7})_(?<officer>[0-9A-Za-z]{6})_(?<start>\d{14})_(?<seq>\d{1,6})(?:_[A-Za-z0-9]{1,4})?${EXT}$`),
  },
  {
    // With the unit code in front: <unit 12>_<officer 6>_<serial 7>_<YYYYMMDDhhmmss>_<seq>.<ext>
    family: 'gat947-unit',
    pattern: new RegExp(String.raw`^(?<unit>[0-9A-Za-z]{12})_(?<officer>[0-9A-Za-z]{6})_(?<deviceId>[0-9A-Za-z]{7})_(?<start>\d{14})_(?<seq>\d{1,6})${EXT}$`),
  },
  {
    // DSJ style: DSJ_<serial 7>_<officer 6>_<YYYYMMDD>_<hhmmss>_<seq>.<ext> (also with "-")
    family: 'dsj',
    pattern: new RegExp(String.raw`^DSJ[_-](?<deviceId>[0-9A-Za-z]{7})[_-](?<officer>[0-9A-Za-z]{6})[_-](?<date>\d{8})[_-](?<time>\d{6})[_-](?<seq>[A-Za-z]?\d{1,6})${EXT}$`, 'i'),
  },
  {
    // Novatek-based recorders: YYYY_MMDD_hhmmss_<seq>[_A|_F|...].<ext> (time only, no identity)
    family: 'novatek',
    pattern: new RegExp(String.raw`^(?<date>\d{4}_\d{4})_(?<time>\d{6})_(?<seq>\d{3,6})(?:_[A-Za-z])?${EXT}$`),
  },
]);

/** Longest base name (in UTF-16 units) looked at; longer names match nothing. */
export const MAX_NAME_LENGTH = 255;

/** Compiles configured conventions; throws an Error naming the bad one. */
export function compileConventions(specs: readonly NameConventionSpec[]): NameConvention[] {
  return specs.map((s, i) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(s.pattern, `${(s.flags ?? '').replace(/[^imsu]/g, '')}u`);
    } catch (e) {
      throw new Error(`meta.name_conventions[${i}] (${s.family}): not a valid regular expression: ${(e as Error).message}`);
    }
    const groups = /\(\?<(deviceId|officer|start|date|time|seq|unit)>/.test(s.pattern);
    if (!groups) throw new Error(`meta.name_conventions[${i}] (${s.family}): needs at least one named group (deviceId, officer, start or date+time, seq, unit)`);
    return { family: s.family, pattern };
  });
}

/**
 * Parses a recording's file name (a base name or a card path; only the last part is used).
 * Returns null when no convention matches or the name is hostile. Never throws.
 */
export function parseRecordingName(
  name: string | Buffer | Uint8Array,
  options: { conventions?: readonly NameConvention[]; timezone?: string; builtins?: boolean } = {},
): ParsedName | null {
  try {
    // Only the base name counts: take it before decoding, so a folder in another encoding
    // cannot spoil it.
    const text = typeof name === 'string' ? name : decodeUtf8OrGbk(name.subarray(name.lastIndexOf(0x2f) + 1));
    if (text === null) return null;
    const base = text.slice(text.lastIndexOf('/') + 1);
    if (base.length === 0 || base.length > MAX_NAME_LENGTH) return null;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(base)) return null;
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(base)) return null; // lone surrogate
    const timezone = options.timezone ?? 'Asia/Shanghai';
    const conventions = [...(options.conventions ?? []), ...(options.builtins === false ? [] : BUILTIN_CONVENTIONS)];
    for (const c of conventions) {
      const m = base.match(c.pattern);
      if (!m?.groups) continue;
      const g = m.groups;
      let start: string | null = null;
      const digits = g.start !== undefined ? g.start : g.date !== undefined ? `${g.date}${g.time ?? ''}` : undefined;
      if (digits !== undefined) {
        start = startFromDigits(digits, timezone);
        if (start === null) continue; // "20261399..." is not a time: this convention does not fit
      }
      return {
        family: c.family,
        deviceId: g.deviceId || null,
        officer: g.officer || null,
        unit: g.unit || null,
        start,
        seq: g.seq || null,
      };
    }
    return null;
  } catch {
    return null;
  }
}

/** "20260315083000", "2026_0315" + "083000", "2026-03-15 08:30" -> ISO in the station zone. */
function startFromDigits(text: string, timezone: string): string | null {
  const d = text.replace(/\D/g, '');
  if (d.length !== 14 && d.length !== 12) return null;
  const wall: WallTime = {
    year: Number(d.slice(0, 4)),
    month: Number(d.slice(4, 6)),
    day: Number(d.slice(6, 8)),
    hour: Number(d.slice(8, 10)),
    minute: Number(d.slice(10, 12)),
    second: d.length === 14 ? Number(d.slice(12, 14)) : 0,
  };
  if (!isValidWallTime(wall)) return null;
  return formatInZone(wallTimeToInstant(wall, timezone), timezone);
}
