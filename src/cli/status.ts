// evidock status: what is held, the daemon and its slots, sessions running and recent, last problems,
// late recordings and unexplained gaps, calendar warnings. Reads the catalog and the status file only.
import type { Command } from 'commander';
import { forTerminal } from '../lib/terminal-text.js';
import { readStatusFile } from '../daemon/status-file.js';
import { calendarWarning, loadStationCalendar } from '../facts/index.js';
import { storeConfigWarnings } from '../store-config.js';
import { countOriginals } from '../store/records.js';
import { rulesSummary } from '../store/rules-facts.js';
import { recentEndedSessions, recentProblems, runningSessions } from '../store/station-status.js';
import { formatBytes, openCli, printJson, table } from './context.js';
import { dateIn, firstTimeToday } from './once-a-day.js';
import { caseFilingSummary } from '../cases/case-files.js';
import { stationToday } from '../cases/due-date.js';
import { stationHealth, type StationHealth } from '../daemon/health.js';
import { notaryLine, notaryState, refusedSealingLine } from './notary-status.js';
import { originalsRefusedSealing } from '../audit/seal-refusals.js';

/** One line of the health figures, the same ones /healthz gives. */
function healthLine(h: StationHealth): string {
  const store = h.store.reachable === null ? `${h.store.backend} (not probed)` : h.store.reachable ? `${h.store.backend} reachable` : `${h.store.backend} NOT reachable: ${h.store.problem}`;
  const disk = h.disk.freeBytes === null ? 'unknown' : `${formatBytes(h.disk.freeBytes)} free`;
  const age = h.checkpoint.ageSeconds;
  const cp = age === null ? 'none yet' : age < 120 ? `${age} s ago` : age < 7200 ? `${Math.round(age / 60)} min ago` : `${Math.round(age / 3600)} h ago`;
  return `health: daemon ${h.daemon.up ? 'up' : 'down'}; store ${store}; disk ${disk}; last checkpoint ${cp}; notary ${h.notary}\n`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what is held, sessions running, docks and their slots, last problems')
    .option('--json', 'print as JSON')
    .option('--problems <n>', 'how many recent problems to list', '10')
    .action(async (opts: { json?: boolean; problems: string }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const held = countOriginals(cli.db);
        const running = runningSessions(cli.db);
        const recent = recentEndedSessions(cli.db, 5);
        const problems = recentProblems(cli.db, Number(opts.problems) || 10);
        const daemon = readStatusFile(cli.home.statusFile);
        const cal = loadStationCalendar(cli.config, cli.home);
        const rules = rulesSummary(cli.db);
        const calendar = { warning: calendarWarning(cal.calendar, cli.config), fileErrors: cal.errors, knownYears: cal.calendar.knownYears() };
        const health = stationHealth(cli.db, cli.config, cli.home, daemon ? { pid: daemon.pid, startedAt: daemon.startedAt } : null);
        const status = {
          station: cli.config.station.id,
          home: cli.home.dir,
          held: { recordings: held.count, bytes: held.bytes },
          daemon: daemon ? { pid: daemon.pid, startedAt: daemon.startedAt, docks: daemon.docks, warnings: daemon.warnings, web: daemon.web ?? null } : null,
          health,
          slots: daemon?.slots ?? [],
          sessionsRunning: running,
          recentSessions: recent,
          problems,
          calendar,
          rules,
          cases: caseFilingSummary(cli.db, stationToday(cli.config.station.timezone)),
          notary: await notaryState(cli.home.dir),
          originalsRefusedSealing: originalsRefusedSealing(cli.db),
        };
        const storeWarnings = storeConfigWarnings(cli.config.store);
        if (opts.json) return printJson({ ...status, storeWarnings });
        const out = process.stdout;
        out.write(`station ${status.station}   home ${status.home}\n`);
        out.write(`held: ${held.count} recordings, ${formatBytes(held.bytes)}\n`);
        out.write(daemon ? `daemon: running (pid ${daemon.pid}) since ${daemon.startedAt}\n` : 'daemon: not running\n');
        if (daemon?.web) out.write(`station page: ${daemon.web.url}\n`);
        out.write(healthLine(health));
        out.write(notaryLine(status.notary));
        out.write(refusedSealingLine(status.originalsRefusedSealing));
        // The missing-schedule warning once a day (it stays in --json and in the daemon's log).
        const sayCalendar = calendar.warning !== null && firstTimeToday(cli.home, calendar.warning, dateIn(cli.config.station.timezone));
        for (const w of daemon?.warnings ?? []) if (w !== calendar.warning || sayCalendar) out.write(`warning: ${forTerminal(w)}\n`);
        if (sayCalendar && !daemon?.warnings?.includes(calendar.warning!)) out.write(`warning: ${calendar.warning}\n`);
        for (const e of calendar.fileErrors) out.write(`warning: calendar file ignored: ${e}\n`);
        for (const w of storeWarnings) out.write(`warning: ${w}\n`);
        if (rules.late || rules.unknown || rules.unexplainedGaps) {
          out.write(`rules: ${rules.late} held late, ${rules.unknown} deadline unknown (evidock report late); ${rules.unexplainedGaps} interruption(s) unexplained (evidock gaps --unexplained)\n`);
        }
        if (status.cases.open) {
          out.write(`case files: ${status.cases.open} not yet filed, ${status.cases.overdue} overdue (Art. 11)${status.cases.overdue ? `: ${status.cases.overdueRefs.map((r) => forTerminal(r)).join(', ')} (evidock case list --overdue)` : ''}\n`);
        }
        if (status.slots.length) {
          out.write('\n' + table(['slot', 'state', 'recorder', 'progress', 'message'], status.slots.map((s) => [s.slot, s.state, s.recorderId ?? '', s.fileCount ? `file ${s.fileIndex}/${s.fileCount}` : '', s.message ?? ''])));
        }
        if (running.length) out.write(`\nsessions running: ${running.length}\n`);
        if (recent.length) {
          out.write('\nrecent sessions:\n' + table(['started', 'recorder', 'status', 'held', 'already', 'skipped', 'failed'], recent.map((s: any) => [s.startedAt, s.recorderId ?? '', s.status, s.summary?.held ?? '', s.summary?.alreadyHeld ?? '', s.summary?.skipped ?? '', s.summary?.failed ?? ''])));
        }
        if (problems.length) {
          out.write('\nlast problems:\n' + table(['when', 'recorder', 'outcome', 'path', 'reason'], problems.map((p) => [p.seenAt, p.recorderId ?? '', p.outcome, p.path, p.reason ?? ''])));
        }
      } finally {
        cli.close();
      }
    });
}
