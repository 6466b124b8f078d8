// Helpers shared by the registry and provenance commands: station-zone time options, CSV.
import { formatInZone, wallTimeToInstant } from '../lib/time-zone.js';
import { parseDateTimeText, wallTimeWithOffsetToInstant } from '../meta/time.js';
import { CliError } from './context.js';

/**
 * A time given on the command line: ISO with offset or Z ("2026-03-15T08:00:00+08:00"), or a
 * station-local "2026-03-15 08:00[:00]" or a date "2026-03-15" (its midnight). Returns epoch ms.
 */
export function parseTimeOption(text: string, option: string, timezone: string): number {
  const t = text.trim();
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.test(t);
  const parsed = dateOnly ? parseDateTimeText(`${t} 00:00:00`) : parseDateTimeText(t);
  if (!parsed) {
    throw new CliError(`${option} ${JSON.stringify(text)}: not a time; use e.g. 2026-03-15, "2026-03-15 08:00" (station time, ${timezone}) or 2026-03-15T00:00:00Z`);
  }
  return parsed.offsetMinutes !== null ? wallTimeWithOffsetToInstant(parsed.wall, parsed.offsetMinutes) : wallTimeToInstant(parsed.wall, timezone);
}

export function showTime(ms: number | null, timezone: string): string {
  return ms === null ? '' : formatInZone(ms, timezone);
}

/** RFC 4180 CSV (quotes, doubled quotes, CRLF or LF); a leading BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/** Identity fields as GA/T 947 sizes them; refuses control characters. */
export function checkId(value: string, what: string, maxLength: number): string {
  const v = value.trim();
  // eslint-disable-next-line no-control-regex
  if (!v || v.length > maxLength || /[\u0000-\u001f\u007f]/.test(v) || /\s/.test(v)) {
    throw new CliError(`${what} ${JSON.stringify(value)}: must be 1-${maxLength} characters without spaces`);
  }
  return v;
}

/** A note (stderr, never an error) when an id is not the GA/T 947 width; recorders vary. */
export function noteWidth(value: string | null, what: string, width: number): void {
  if (value !== null && [...value].length !== width) {
    process.stderr.write(`note: GA/T 947 gives a ${what} ${width} characters; ${JSON.stringify(value)} has ${[...value].length} (kept as given)\n`);
  }
}
