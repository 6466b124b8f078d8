import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { runFixity, type FixityMode } from '../store/fixity.js';
import { CliError, EXIT_PROBLEM, formatBytes, openCli, printJson } from './context.js';

function progressBar(done: number, total: number, bytesDone: number, bytesTotal: number, t0: number): string {
  const frac = bytesTotal > 0 ? bytesDone / bytesTotal : total > 0 ? done / total : 1;
  const width = 30;
  const filled = Math.round(frac * width);
  const secs = (Date.now() - t0) / 1000;
  const rate = secs > 0 ? bytesDone / secs : 0;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} objects, ${formatBytes(bytesDone)}/${formatBytes(bytesTotal)} ${formatBytes(rate)}/s `;
}

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
      const cli = openCli(cmd);
      try {
        const progress = process.stderr.isTTY && !opts.json;
        const t0 = Date.now();
        let lastDraw = 0;
        const report = await runFixity(cli.db, cli.home.store, {
          mode,
          jobs,
          since,
          objects: opts.object,
          onProgress: progress
            ? (p) => {
                if (Date.now() - lastDraw < 200 && p.done < p.total) return;
                lastDraw = Date.now();
                process.stderr.write(progressBar(p.done, p.total, p.bytesDone, p.bytesTotal, t0));
              }
            : undefined,
        });
        if (progress) process.stderr.write('\n');
        cli.db.transaction(() =>
          appendAuditEntry(cli.db, {
            type: 'verify.run',
            data: {
              mode: report.mode, jobs: report.jobs, since: report.selection.since, objects: report.selection.objects,
              checked: report.checked, bytes: report.bytes, ok: report.ok, changed: report.changed.length,
              missing: report.missing.length, untracked: report.untracked.length, notFound: report.notFound.length,
              problems: [...report.changed.map((c) => c.evidenceNumber), ...report.missing.map((m) => m.evidenceNumber)].slice(0, 100),
            },
            actor: cli.actor,
          }),
        )();
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
