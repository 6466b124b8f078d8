import type { Command } from 'commander';
import { appendAuditEntry } from '../audit/log.js';
import { verifyStore } from '../store/verify.js';
import { EXIT_PROBLEM, formatBytes, openCli, printJson } from './context.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('re-hash every held original; report changed, missing and untracked objects (exit 1 if any)')
    .option('--json', 'print the report as JSON (changed[], missing[], untracked[])')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd);
      try {
        const progress = process.stderr.isTTY && !opts.json;
        const report = await verifyStore(cli.db, cli.home.store, {
          onObject: progress ? (done, total) => process.stderr.write(`\rverifying ${done}/${total}`) : undefined,
        });
        if (progress) process.stderr.write('\n');
        cli.db.transaction(() =>
          appendAuditEntry(cli.db, {
            type: 'verify.run',
            data: { mode: report.mode, checked: report.checked, bytes: report.bytes, ok: report.ok, changed: report.changed.length, missing: report.missing.length, untracked: report.untracked.length },
            actor: cli.actor,
          }),
        )();
        if (opts.json) printJson(report);
        else {
          const out = process.stdout;
          out.write(`checked ${report.checked} objects, ${formatBytes(report.bytes)}: ${report.ok ? 'all intact' : 'PROBLEMS FOUND'}\n`);
          for (const c of report.changed) out.write(`changed   ${c.evidenceNumber}  ${c.file}: ${c.problem}${c.expected ? ` (expected ${c.expected}, found ${c.actual})` : ''}\n`);
          for (const m of report.missing) out.write(`missing   ${m.evidenceNumber}  ${m.objectPath}: ${m.problem}\n`);
          for (const u of report.untracked) out.write(`untracked ${u.path}: ${u.problem}\n`);
        }
        if (!report.ok) process.exitCode = EXIT_PROBLEM;
      } finally {
        cli.close();
      }
    });
}
