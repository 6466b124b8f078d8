// Art. 10: the storage deadline of one recording, and whether it was met. Pure.
//
// A recording made on day D (civil date in the station's time zone) is due by 24:00 of the 2nd
// working day after D; D itself is not counted, whether or not it is a working day. If the
// officer was on a registered field trip when it was made, it is due 24 h after the trip's
// return, if that is later. Held exactly at the due instant counts as on time ("by 24:00").
//
// Unknown, never guessed: when a day that must be examined lies in a year with no holiday
// schedule, or when the recording has no trustworthy time at all.

import type { WorkingCalendar } from './calendar.js';
import { addDays, endOfLocalDate, localDateOf, yearOf, type LocalDate } from './dates.js';

export const DEADLINE_RULE = 'art10:2-working-days+trip-24h@1';

const HOUR_MS = 3_600_000;
/** Longest stretch of consecutive rest days we accept before giving up (longest PRC break is 9). */
const MAX_REST_RUN = 40;

export interface FieldTrip {
  id: string | number;
  officer: string;
  /** Departure, epoch ms. */
  from: number;
  /** Return to the unit, epoch ms. */
  to: number;
  reason?: string;
}

export interface TimeCandidate {
  at: number;
  /** What this time is: 'recording-start', 'file-mtime', 'docked-at', … */
  source: string;
}

export interface DeadlineInput {
  /** The recording's start time as the recorder reports it, or null if it has none. */
  start: TimeCandidate | null;
  /** Whether start passed the clock checks (see clock.ts). */
  startTrusted: boolean;
  /**
   * Other trustworthy times at or after which the recording certainly existed (e.g. a sane
   * file mtime). When start is missing or untrusted, the earliest of these is used instead and
   * the result is flagged; with none, the deadline is unknown.
   */
  fallbacks?: TimeCandidate[];
  /** When the recording became held (committed), epoch ms. */
  heldAt: number;
  /** Registered field trips of the recording's officer (others are ignored). */
  trips?: FieldTrip[];
}

export interface DeadlineContext {
  calendar: WorkingCalendar;
  /** IANA zone of the station, e.g. 'Asia/Shanghai'. */
  timeZone: string;
}

export type DeadlineStatus = 'on-time' | 'late' | 'unknown';
export type UnknownReason = 'calendar-unknown' | 'time-untrusted';

export interface DeadlineResult {
  rule: string;
  /** Calendar years consulted and their data version, e.g. '2026:chinese-days@1.5.7'. */
  calendarVersion: string;
  timeZone: string;
  status: DeadlineStatus;
  unknownReason?: UnknownReason;
  /** Human text for unknown results. */
  detail?: string;
  /** The time the deadline is counted from, and what it is. */
  madeAt: number | null;
  madeAtSource: string | null;
  /** True when the recorder's own start time was not used (missing or untrusted). */
  timeFlagged: boolean;
  /** Civil date D of the recording. */
  madeOn: LocalDate | null;
  /** 24:00 of the 2nd working day after D (epoch ms), when known. */
  workingDayDueAt: number | null;
  /** 24 h after the return of the trip the recording was made on, if any. */
  tripDueAt: number | null;
  tripId: string | number | null;
  /** The deadline that applies: the later of the two. */
  dueAt: number | null;
  heldAt: number;
  /** ms between madeAt and heldAt. */
  heldAfterMs: number | null;
  /** For late results: how late, in hours (fractional) and in working days. */
  lateHours?: number;
  /** Working days after the due date up to and including the held date; null if unknown. */
  lateWorkingDays?: number | null;
}

/** The 2nd working day strictly after D, or an unknown reason. */
export function secondWorkingDayAfter(
  cal: WorkingCalendar,
  d: LocalDate,
  count = 2,
): { date: LocalDate; years: number[] } | { date: null; years: number[]; detail: string } {
  const years = new Set<number>([yearOf(d)]);
  let day = d;
  let found = 0;
  for (let rest = 0; rest <= MAX_REST_RUN; ) {
    day = addDays(day, 1);
    years.add(yearOf(day));
    const info = cal.dayInfo(day);
    if (!info.known) return { date: null, years: [...years], detail: info.reason };
    if (info.working) {
      found++;
      rest = 0;
      if (found === count) return { date: day, years: [...years] };
    } else rest++;
  }
  return { date: null, years: [...years], detail: `no working day within ${MAX_REST_RUN} days after ${d}` };
}

/** Working days in (after, upTo]: the days strictly after `after`, up to and including `upTo`. */
export function workingDaysBetween(cal: WorkingCalendar, after: LocalDate, upTo: LocalDate): number | null {
  let n = 0;
  for (let day = addDays(after, 1); day <= upTo; day = addDays(day, 1)) {
    const w = cal.isWorkingDay(day);
    if (w === null) return null;
    if (w) n++;
  }
  return n;
}

/** The trip an instant falls in (from ≤ t ≤ to); with overlapping trips, the latest return. */
export function tripAt(trips: FieldTrip[] | undefined, t: number): FieldTrip | null {
  let best: FieldTrip | null = null;
  for (const trip of trips ?? []) {
    if (t >= trip.from && t <= trip.to && (!best || trip.to > best.to)) best = trip;
  }
  return best;
}

export function evaluateDeadline(input: DeadlineInput, ctx: DeadlineContext): DeadlineResult {
  const { calendar: cal, timeZone: tz } = ctx;
  let made: TimeCandidate | null = null;
  let timeFlagged = false;
  if (input.start && input.startTrusted && Number.isFinite(input.start.at)) made = input.start;
  else {
    timeFlagged = true;
    for (const f of input.fallbacks ?? []) if (Number.isFinite(f.at) && (!made || f.at < made.at)) made = f;
  }
  const base: DeadlineResult = {
    rule: DEADLINE_RULE,
    calendarVersion: '',
    timeZone: tz,
    status: 'unknown',
    madeAt: made?.at ?? null,
    madeAtSource: made?.source ?? null,
    timeFlagged,
    madeOn: null,
    workingDayDueAt: null,
    tripDueAt: null,
    tripId: null,
    dueAt: null,
    heldAt: input.heldAt,
    heldAfterMs: made ? input.heldAt - made.at : null,
  };
  if (!made) {
    return {
      ...base,
      calendarVersion: cal.versionFor([]),
      unknownReason: 'time-untrusted',
      detail: input.start ? `recording start ${new Date(input.start.at).toISOString()} failed the clock checks and no other trustworthy time is known` : 'recording has no start time and no other trustworthy time is known',
    };
  }
  const d = localDateOf(made.at, tz);
  base.madeOn = d;
  const trip = tripAt(input.trips, made.at);
  if (trip) {
    base.tripId = trip.id;
    base.tripDueAt = trip.to + 24 * HOUR_MS;
  }
  const second = secondWorkingDayAfter(cal, d);
  const years = new Set(second.years);
  if (second.date === null) {
    return {
      ...base,
      calendarVersion: cal.versionFor(years),
      unknownReason: 'calendar-unknown',
      detail: second.detail,
    };
  }
  base.workingDayDueAt = endOfLocalDate(second.date, tz);
  const dueAt = base.tripDueAt !== null && base.tripDueAt > base.workingDayDueAt ? base.tripDueAt : base.workingDayDueAt;
  base.dueAt = dueAt;
  if (input.heldAt <= dueAt) {
    return { ...base, calendarVersion: cal.versionFor(years), status: 'on-time' };
  }
  const dueDate = localDateOf(dueAt - 1, tz); // the civil day whose 24:00 is dueAt (trip dues: the day containing it)
  const heldDate = localDateOf(input.heldAt, tz);
  for (let y = yearOf(dueDate); y <= yearOf(heldDate); y++) years.add(y);
  return {
    ...base,
    calendarVersion: cal.versionFor(years),
    status: 'late',
    lateHours: (input.heldAt - dueAt) / HOUR_MS,
    lateWorkingDays: workingDaysBetween(cal, dueDate, heldDate),
  };
}
