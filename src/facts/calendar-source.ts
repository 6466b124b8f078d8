// The station's working calendar: read from the calendar directory (admin files beside the
// built-in schedule), cached for a minute so an import reaches a running daemon, and the
// warning when next year's schedule is missing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import { loadCalendar, localDateOf, missingNextYearWarning, type CalendarLoadResult, type WorkingCalendar } from '../rules/index.js';
import type { FactsContext, FactsEnv } from './context.js';

/** Reads the calendar directory (the only file I/O of the calendar) and builds the calendar. */
export function loadStationCalendar(_config: Config, home: Home): CalendarLoadResult & { dir: string } {
  const dir = home.calendar;
  const r = loadCalendar({
    list: () => {
      try {
        return readdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    read: (name) => readFileSync(path.join(dir, name), 'utf8'),
  });
  return { ...r, dir };
}

/** The December (or missing-current-year) warning for today in the station zone, or null. */
export function calendarWarning(calendar: WorkingCalendar, config: Config, now = new Date()): string | null {
  return missingNextYearWarning(calendar, localDateOf(now.getTime(), config.station.timezone));
}

// The calendar of a home, re-read at most once a minute.
const calendars = new Map<string, { at: number; calendar: WorkingCalendar }>();

export function calendarFor(ctx: Pick<FactsContext, 'config' | 'home' | 'logger'>, now = Date.now()): WorkingCalendar {
  const dir = ctx.home.calendar;
  const c = calendars.get(dir);
  if (c && now - c.at < 60_000) return c.calendar;
  const result = loadStationCalendar(ctx.config, ctx.home);
  for (const e of result.errors) ctx.logger?.error(`calendar file ignored: ${e}`);
  calendars.set(dir, { at: now, calendar: result.calendar });
  return result.calendar;
}

/** The context with its calendar resolved (the fixed one it carries, else the station's). */
export function factsEnvOf(ctx: FactsContext): FactsEnv {
  return { db: ctx.db, config: ctx.config, calendar: ctx.calendar ?? calendarFor(ctx), actor: ctx.actor, clock: ctx.clock, logger: ctx.logger };
}
