// Art. 11: a case file is due 20 calendar days after its enforcement action ended (之日起20日内),
// counted in calendar days, not working days; overdue when today (station time) is after that.
import { localDateOf } from '../lib/time-zone.js';
import { CasesError } from './errors.js';

export const CASE_FILE_DAYS = 20;

/** Checks a YYYY-MM-DD date is a real calendar date. */
export function checkCalendarDate(text: string, option: string): string {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== t) throw new CasesError(`${option} ${JSON.stringify(text)}: not a date; use YYYY-MM-DD (e.g. 2026-03-15)`);
  return t;
}

/** The Art. 11 due date of a case whose action ended on `actionEnded` (YYYY-MM-DD). */
export function caseFileDue(actionEnded: string): string {
  const [y, m, d] = actionEnded.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + CASE_FILE_DAYS)).toISOString().slice(0, 10);
}

/** Today's date at the station. */
export function stationToday(timezone: string, now = Date.now()): string {
  return localDateOf(now, timezone);
}

/** Whether a case not yet filed is past its due date on `today`. */
export function isOverdue(due: string, filed: boolean, today: string): boolean {
  return !filed && today > due;
}
