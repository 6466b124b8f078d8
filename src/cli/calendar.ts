// evidock calendar show <year> | import <file>: the working-day calendar (Art. 10 deadlines).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { calendarWarning, installCalendarFile, loadStationCalendar } from '../facts/index.js';
import { parseCalendarOverride, weekday } from '../rules/index.js';
import { CliError, EXIT_PROBLEM, openCli, printJson, table } from './context.js';
import { dateIn, firstTimeToday } from './once-a-day.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function registerCalendar(program: Command): void {
  const cal = program.command('calendar').description('the working-day calendar used for Art. 10 deadlines (PRC holidays and adjusted working days)');

  cal
    .command('show')
    .description('the holidays and adjusted working days of a year, and where they come from')
    .argument('<year>', 'e.g. 2026')
    .option('--json', 'print as JSON')
    .action((yearText: string, opts: { json?: boolean }, cmd: Command) => {
      const year = Number(yearText);
      if (!/^\d{4}$/.test(yearText)) throw new CliError(`year ${JSON.stringify(yearText)}: give a year such as 2026`);
      const cli = openCli(cmd);
      try {
        const loaded = loadStationCalendar(cli.config, cli.home);
        const st = loaded.calendar.yearStatus(year);
        const warning = calendarWarning(loaded.calendar, cli.config);
        const out = {
          year,
          known: st.known,
          source: st.source,
          version: st.version,
          calendarDir: loaded.dir,
          holidays: st.holidays,
          workdays: st.workdays,
          knownYears: loaded.calendar.knownYears(),
          fileErrors: loaded.errors,
          fileWarnings: loaded.warnings,
          warning,
        };
        if (!st.known) process.exitCode = EXIT_PROBLEM;
        if (opts.json) return printJson(out);
        const w = process.stdout;
        if (!st.known) {
          w.write(`${year}: unknown — no holiday schedule (built-in years: ${out.knownYears[0]}–${out.knownYears.at(-1)}).\n`);
          w.write(`Deadlines of recordings in ${year} are reported as "calendar unknown". Import the State Council schedule with\n  evidock calendar import <file>   (format: config/calendar/README.md)\n`);
        } else {
          w.write(`${year}: ${st.source} (${st.version})\n\n`);
          const rows = [
            ...st.holidays.map((d) => [d.date, WEEKDAYS[weekday(d.date)]!, 'holiday', d.name]),
            ...st.workdays.map((d) => [d.date, WEEKDAYS[weekday(d.date)]!, 'working day (调休)', d.name]),
          ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
          w.write(table(['date', 'day', 'kind', 'name'], rows));
          w.write(`\n${st.holidays.length} holidays, ${st.workdays.length} adjusted working days; other days: Mon–Fri working, Sat–Sun rest.\n`);
        }
        for (const e of loaded.errors) w.write(`error: ${e}\n`);
        if (warning && firstTimeToday(cli.home, warning, dateIn(cli.config.station.timezone))) w.write(`warning: ${warning}\n`);
      } finally {
        cli.close();
      }
    });

  cal
    .command('import')
    .description('validate a calendar file (config/calendar/README.md) and install it as <calendar_dir>/<year>.json')
    .argument('<file>', 'JSON file with year, holidays, workdays')
    .option('--force', 'replace an installed file for that year (the old one is kept under history/)')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { force?: boolean; json?: boolean }, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const parsed = parseCalendarOverride(text, path.basename(file));
      if (!parsed.ok || !parsed.override) {
        throw new CliError(`${file} is not a valid calendar file:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}\n(format: config/calendar/README.md)`);
      }
      const o = parsed.override;
      const cli = openCli(cmd);
      try {
        const r = installCalendarFile(cli, text, o, !!opts.force);
        if (r.outcome === 'unchanged') {
          const same = { year: o.year, installed: r.installed, hash: o.hash, changed: false, reevaluated: 0 };
          if (opts.json) printJson(same);
          else process.stdout.write(`${r.installed} already holds this file (${o.hash}); nothing to do\n`);
          return;
        }
        if (r.outcome === 'exists') throw new CliError(`${r.installed} exists with other content (${r.previousHash}); add --force to replace it (the old file is kept under history/)`);
        const result = { year: o.year, installed: r.installed, hash: o.hash, previousHash: r.previousHash, changed: true, warnings: parsed.warnings, reevaluated: r.reevaluated, statusChanged: r.statusChanged };
        if (opts.json) return printJson(result);
        process.stdout.write(`installed ${r.installed} (${o.mode}, ${o.holidays.length} holidays, ${o.workdays.length} adjusted working days, ${o.hash})\n`);
        for (const w of parsed.warnings) process.stdout.write(`warning: ${w}\n`);
        process.stdout.write(`re-evaluated ${r.reevaluated} recording(s) whose deadline involves ${o.year}; ${r.statusChanged} changed (new facts in the log)\n`);
      } finally {
        cli.close();
      }
    });
}
