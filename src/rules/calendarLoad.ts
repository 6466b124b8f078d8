// Builds the working calendar from the override directory. The file system is injected, so
// this stays free of I/O of its own; src/cli and src/daemon pass node:fs functions.

import { WorkingCalendar, parseCalendarOverride, type CalendarOverride, type CalendarOptions } from './calendar.js';

export interface CalendarDirReader {
  /** File names in the calendar directory ([] when it does not exist). */
  list(): string[];
  /** UTF-8 text of a file in the calendar directory. */
  read(name: string): string;
}

export interface CalendarLoadResult {
  calendar: WorkingCalendar;
  overrides: CalendarOverride[];
  /** Problems that made a file be ignored, as '<file>: <json path>: <what>'. */
  errors: string[];
  warnings: string[];
}

const FILE_RE = /^(\d{4})\.json$/;

export function loadCalendar(dir: CalendarDirReader, opts: Omit<CalendarOptions, 'overrides'> = {}): CalendarLoadResult {
  const overrides: CalendarOverride[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const name of dir.list().sort()) {
    const m = name.match(FILE_RE);
    if (!m) {
      if (name.endsWith('.json')) warnings.push(`${name}: ignored, calendar files are named <year>.json`);
      continue;
    }
    const r = parseCalendarOverride(dir.read(name), name, Number(m[1]));
    for (const w of r.warnings) warnings.push(`${name}: ${w}`);
    if (!r.ok || !r.override) {
      for (const e of r.errors) errors.push(`${name}: ${e}`);
      continue;
    }
    overrides.push(r.override);
  }
  return { calendar: new WorkingCalendar({ ...opts, overrides }), overrides, errors, warnings };
}
