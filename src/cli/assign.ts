// evidock assign / assignments: which officer carried which recorder, from when to when.
// History: a correction is a new row that supersedes an older one, never an edit.
import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { assignmentsOf, listAssignments, registerAssignment, RegistryError, type AssignmentRow } from '../store/registry.js';
import { CliError, openCli, printJson, table } from './context.js';
import { parseTimeOption, showTime } from './registry-shared.js';

function supersededIds(rows: AssignmentRow[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of rows) if (r.supersedes !== null) m.set(r.supersedes, r.id);
  return m;
}

export function registerAssign(program: Command): void {
  program
    .command('assign')
    .description('record that an officer carried a recorder from --from to --to (a correction supersedes an earlier row with --corrects)')
    .argument('<recorder>', 'recorder serial (registered)')
    .argument('<officer>', 'officer number (registered)')
    .requiredOption('--from <time>', 'start, inclusive: 2026-03-15, "2026-03-15 08:00" (station time) or ISO with offset')
    .option('--to <time>', 'end, exclusive (default: open)')
    .option('--corrects <id>', 'the assignment row this one corrects (it no longer counts; it stays in the history)')
    .option('--reason <text>', 'why (recommended for corrections)')
    .option('--json', 'print the new row as JSON')
    .action((recorder: string, officer: string, opts: { from: string; to?: string; corrects?: string; reason?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const tz = cli.config.station.timezone;
        const fromMs = parseTimeOption(opts.from, '--from', tz);
        const toMs = opts.to ? parseTimeOption(opts.to, '--to', tz) : null;
        let supersedes: number | null = null;
        if (opts.corrects !== undefined) {
          if (!/^\d+$/.test(opts.corrects)) throw new CliError(`--corrects ${JSON.stringify(opts.corrects)}: give the id of an assignment row (see \`evidock assignments\`)`);
          supersedes = Number(opts.corrects);
        }
        const now = new Date();
        let row: AssignmentRow;
        try {
          row = registerAssignment(
            cli.db,
            {
              recorder_serial: recorder.trim(),
              officer_number: officer.trim(),
              from_ms: fromMs,
              to_ms: toMs,
              supersedes,
              reason: opts.reason?.trim() || null,
              created_at: now.toISOString(),
              created_by: cli.actor.user,
            },
            (saved) =>
              appendAuditEntry(cli.db, {
                type: supersedes === null ? 'registry.assignment.added' : 'registry.assignment.corrected',
                data: { id: saved.id, recorder: saved.recorder_serial, officer: saved.officer_number, from: new Date(fromMs).toISOString(), to: toMs === null ? null : new Date(toMs).toISOString(), supersedes, reason: saved.reason },
                actor: cli.actor,
                at: now,
              }),
          );
        } catch (err) {
          if (err instanceof RegistryError) throw new CliError(err.message);
          throw err;
        }
        // Overlapping assignments of one recorder make its recordings ambiguous: say so now.
        const history = assignmentsOf(cli.db, [row.recorder_serial]);
        const lapsed = new Set(history.map((a) => a.supersedes).filter((x): x is number => x !== null));
        const overlaps = history.filter(
          (a) => a.id !== row.id && !lapsed.has(a.id) && a.officer_number !== row.officer_number && a.from_ms < (row.to_ms ?? Infinity) && row.from_ms < (a.to_ms ?? Infinity),
        );
        for (const a of overlaps) {
          process.stderr.write(
            `warning: overlaps assignment #${a.id} (${a.officer_number}, from ${showTime(a.from_ms, tz)}${a.to_ms !== null ? ` to ${showTime(a.to_ms, tz)}` : ''}); recordings in the overlap will be flagged ambiguous. If #${a.id} was wrong, record a correction with --corrects ${a.id}.\n`,
          );
        }
        if (opts.json) printJson({ ...row, from: showTime(row.from_ms, tz), to: showTime(row.to_ms, tz), overlaps: overlaps.map((a) => a.id) });
        else process.stdout.write(`assignment #${row.id}: ${row.officer_number} carries ${row.recorder_serial} from ${showTime(row.from_ms, tz)}${row.to_ms !== null ? ` to ${showTime(row.to_ms, tz)}` : ''}${supersedes !== null ? ` (corrects #${supersedes})` : ''}\n`);
      } finally {
        cli.close();
      }
    });

  program
    .command('assignments')
    .description('the assignment history (superseded rows included, marked)')
    .option('--recorder <serial>', 'only this recorder')
    .option('--json', 'print as JSON')
    .action((opts: { recorder?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const tz = cli.config.station.timezone;
        const rows = listAssignments(cli.db, opts.recorder);
        const by = supersededIds(listAssignments(cli.db));
        const out = rows.map((r) => ({ ...r, from: showTime(r.from_ms, tz), to: r.to_ms === null ? null : showTime(r.to_ms, tz), supersededBy: by.get(r.id) ?? null }));
        if (opts.json) return printJson(out);
        if (!out.length) return void process.stdout.write('no assignments\n');
        process.stdout.write(
          table(
            ['id', 'recorder', 'officer', 'from', 'to', 'corrects', 'status', 'reason'],
            out.map((r) => [r.id, r.recorder_serial, r.officer_number, r.from, r.to ?? '(open)', r.supersedes ?? '', r.supersededBy ? `superseded by #${r.supersededBy}` : 'in force', r.reason ?? '']),
          ),
        );
      } finally {
        cli.close();
      }
    });
}
