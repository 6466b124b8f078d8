// evidock verify: re-hash held originals (quick or full, all or a selection), report changed, missing
// and untracked objects, and log the run. Exit 1 when anything does not verify.
import type { Command } from 'commander';
import { loggedHolds } from '../audit/held-facts.js';
import { runFixity, type FixityMode } from '../store/fixity.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { CliError, EXIT_PROBLEM, formatBytes, openCli, printJson } from './context.js';
import { progressBar } from './progress.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check held originals: quick (file count + bytes per object) or full (re-hash); report changed, missing and untracked objects (exit 1 if any)')
    .option('--quick', 'quick mode: count and size only, no hashing (like BagIt Payload-Oxum)')
    .option('--full', 'full mode: re-hash every file (the default)')
    .option('--jobs <n>', 'parallel hashing jobs (default: number of cores)')
    .option('--since <date>', 'only objects held at or after this date')
    .option('--object <id...>', 'only these objects (evidence numbers or OCFL object ids)')
    .option('--json', 'print the report as JSON (changed[], missing[], untracked[])')
    .action(async (opts: { quick?: boolean; full?: boolean; jobs?: string; since?: string; object?: string[]; json?: boolean }, cmd: Command) => {
      if (opts.quick && opts.full) throw new CliError('--quick and --full exclude each other');
      const mode: FixityMode = opts.quick ? 'quick' : 'full';
      let jobs: number | undefined;
      if (opts.jobs !== undefined) {
        jobs = Number(opts.jobs);
        if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new CliError(`--jobs must be a whole number from 1 to 256, not ${JSON.stringify(opts.jobs)}`);
      }
      let since: string | undefined;
      if (opts.since !== undefined) {
        const d = new Date(opts.since);
        if (Number.isNaN(d.getTime())) throw new CliError(`--since ${JSON.stringify(opts.since)} is not a date; use e.g. 2026-11-01`);
        since = d.toISOString();
      }
      const cli = openCli(cmd, { readOnlyOk: true });
      try {
        const bar = progressBar(`${mode} check`, { json: opts.json, unit: mode === 'quick' ? 'objects' : 'bytes' });
        const holds = loggedHolds(cli.db);
        const report = await runFixity(cli.db, openConfiguredOriginals(cli.config, cli.home, cli.db), {
          heldInLog: (evidenceNumber) => holds.get(evidenceNumber),
          recordChecks: !cli.readOnly,
          mode,
          jobs,
          since,
          objects: opts.object,
          onProgress: (p) => (mode === 'quick' ? bar.update(p.done, p.total) : bar.update(p.bytesDone, p.bytesTotal)),
        }).finally(() => bar.stop());
        cli.logRead('verify.run', {
          mode: report.mode, jobs: report.jobs, since: report.selection.since, objects: report.selection.objects,
          checked: report.checked, bytes: report.bytes, ok: report.ok, changed: report.changed.length,
          missing: report.missing.length, untracked: report.untracked.length, notFound: report.notFound.length,
          problems: [...report.changed.map((c) => c.evidenceNumber), ...report.missing.map((m) => m.evidenceNumber)].slice(0, 100),
        });
        if (opts.json) printJson(report);
        else {
          const out = process.stdout;
          const selected = since !== undefined || opts.object !== undefined;
          const verdict = !report.ok ? 'PROBLEMS FOUND' : report.checked > 0 ? 'all intact' : selected ? 'no held object matches' : 'nothing held yet';
          out.write(`${mode} check of ${report.checked} objects, ${formatBytes(report.bytes)} in ${report.seconds.toFixed(1)} s: ${verdict}\n`);
          for (const c of report.changed) out.write(`changed   ${c.evidenceNumber}  ${c.file}: ${c.problem}${c.expected ? ` (expected ${c.expected}, found ${c.actual})` : ''}\n`);
          for (const m of report.missing) out.write(`missing   ${m.evidenceNumber}  ${m.objectPath}: ${m.problem}\n`);
          for (const u of report.untracked) out.write(`untracked ${u.path}: ${u.problem}\n`);
          for (const n of report.notFound) out.write(`unknown   ${n}: no such object in the catalog\n`);
        }
        if (!report.ok) process.exitCode = EXIT_PROBLEM;
      } finally {
        cli.close();
      }
    });
}
