// evidock gaps [list] | gaps explain: Art. 9 interruptions and their written explanations.
import type { Command } from 'commander';
import { explainInterruption } from '../facts/index.js';
import { formatInstant } from '../rules/index.js';
import { listInterruptions } from '../store/rules-facts.js';
import { CliError, EXIT_PROBLEM, openCli, printJson, table } from './context.js';
import { parsePeriod } from './rules-args.js';

export function registerGaps(program: Command): void {
  const gaps = program.command('gaps').description('interruptions between consecutive segments of a recorder (Art. 9), and their explanations');

  gaps
    .command('list', { isDefault: true })
    .description('list interruptions (default)')
    .option('--officer <number>', 'only this officer')
    .option('--from <time>', 'interruptions starting at or after this time (date, station time or ISO)')
    .option('--to <time>', 'interruptions starting before this time (a date alone: its 24:00)')
    .option('--unexplained', 'only those without an explanation (exit 1 if any)')
    .option('--json', 'print as JSON')
    .action((opts: { officer?: string; from?: string; to?: string; unexplained?: boolean; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const tz = cli.config.station.timezone;
        const rows = listInterruptions(cli.db, {
          officer: opts.officer,
          ...parsePeriod(opts, tz),
          unexplained: opts.unexplained,
        });
        const out = rows.map((r) => ({
          id: r.id,
          recorder: r.recorder_id,
          officer: r.officer_id,
          before: r.before_evidence,
          after: r.after_evidence,
          from: formatInstant(r.from_at, tz),
          to: formatInstant(r.to_at, tz),
          gapSeconds: r.gap_ms / 1000,
          explanations: r.explanations.map((e) => ({ text: e.text, by: e.explained_by, at: e.explained_at })),
        }));
        if (opts.unexplained && out.length) process.exitCode = EXIT_PROBLEM;
        if (opts.json) return printJson(out);
        if (!out.length) return void process.stdout.write('no interruptions\n');
        const fmtGap = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s} s`);
        process.stdout.write(
          table(
            ['id', 'recorder', 'officer', 'from', 'to', 'gap', 'explanation'],
            out.map((r) => [r.id, r.recorder, r.officer ?? '', r.from, r.to, fmtGap(r.gapSeconds), r.explanations.length ? r.explanations.map((e) => e.text).join(' / ') : '(none: needs one)']),
          ),
        );
      } finally {
        cli.close();
      }
    });

  gaps
    .command('explain')
    .description('attach a written explanation to an interruption (a new fact; earlier ones stay)')
    .argument('<id>', 'interruption id from `evidock gaps`')
    .requiredOption('--text <text>', 'what happened (e.g. "battery changed")')
    .option('--json', 'print the result as JSON')
    .action((idText: string, opts: { text: string; json?: boolean }, cmd: Command) => {
      const id = Number(idText);
      if (!Number.isInteger(id) || id <= 0) throw new CliError(`interruption id ${JSON.stringify(idText)}: give the number shown by \`evidock gaps\``);
      if (!opts.text.trim()) throw new CliError('--text must say what happened');
      const cli = openCli(cmd);
      try {
        const r = explainInterruption(cli, id, opts.text);
        if (!r.ok) throw new CliError(`no interruption ${id}; see \`evidock gaps\``);
        const explanationId = r.explanation;
        const now = r.at;
        if (opts.json) return printJson({ interruption: id, explanation: explanationId, text: opts.text, by: cli.actor.user, at: now.toISOString() });
        process.stdout.write(`explanation ${explanationId} attached to interruption ${id}\n`);
      } finally {
        cli.close();
      }
    });
}
