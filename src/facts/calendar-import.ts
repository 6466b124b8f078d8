// Installing an admin's calendar file for a year as <calendar_dir>/<year>.json (the replaced
// one kept under history/), with its `calendar.imported` entry, and re-evaluating every
// recording whose current deadline consulted that year (new facts, never edits).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendAuditEntry } from '../audit/log.js';
import { contentHash, type CalendarOverride } from '../rules/index.js';
import { evidenceDecidedWithCalendarYear } from '../store/rules-facts.js';
import { loadStationCalendar } from './calendar-source.js';
import type { FactsContext } from './context.js';
import { reevaluate } from './deadline.js';

export type CalendarInstall =
  | { outcome: 'unchanged'; installed: string }
  | { outcome: 'exists'; installed: string; previousHash: string }
  | { outcome: 'installed'; installed: string; previousHash: string | null; reevaluated: number; statusChanged: number };

/** `text` is the file's content, already parsed and checked as `o`. Without `force` an other file for the year is left alone. */
export function installCalendarFile(ctx: FactsContext, text: string, o: CalendarOverride, force: boolean): CalendarInstall {
  const dir = ctx.home.calendar;
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${o.year}.json`);
  let previousHash: string | null = null;
  if (existsSync(target)) {
    previousHash = contentHash(readFileSync(target, 'utf8'));
    if (previousHash === o.hash) return { outcome: 'unchanged', installed: target };
    if (!force) return { outcome: 'exists', installed: target, previousHash };
    const hist = path.join(dir, 'history');
    mkdirSync(hist, { recursive: true });
    renameSync(target, path.join(hist, `${o.year}.${previousHash.replace(':', '-')}.json`));
  }
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, target);
  ctx.db.transaction(() =>
    appendAuditEntry(ctx.db, {
      type: 'calendar.imported',
      data: { year: o.year, mode: o.mode, source: o.source ?? null, hash: o.hash, previousHash, file: target, holidays: o.holidays.length, workdays: o.workdays.length },
      actor: ctx.actor,
      at: ctx.clock?.(),
    }),
  )();
  const calendar = loadStationCalendar(ctx.config, ctx.home).calendar;
  const re = reevaluate({ db: ctx.db, config: ctx.config, calendar, actor: ctx.actor, clock: ctx.clock, logger: ctx.logger }, evidenceDecidedWithCalendarYear(ctx.db, o.year), 'calendar-imported');
  return { outcome: 'installed', installed: target, previousHash, reevaluated: re.examined, statusChanged: re.changed.length };
}
