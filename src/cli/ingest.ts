import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../daemon/logger.js';
import { recoverAtStart } from '../ingest/recovery.js';
import { endIngestHelpers, standardHooks } from '../ingest/hooks.js';
import type { Json } from '../audit/log.js';
import { readIdentityFiles } from '../dock/drivers/mass-storage.js';
import { ingestRecorder, type IngestSummary } from '../ingest/session.js';
import { CliError, EXIT_PROBLEM, formatBytes, openCli, printJson } from './context.js';

export function printSummary(s: IngestSummary): void {
  const out = process.stdout;
  out.write(`session ${s.sessionId} (${s.status})\n`);
  out.write(`  recorder      ${s.recorderId ?? 'unknown'}\n`);
  out.write(`  held          ${s.held} (${formatBytes(s.bytesHeld)})\n`);
  out.write(`  already held  ${s.alreadyHeld}\n`);
  out.write(`  skipped       ${s.skipped}\n`);
  out.write(`  failed        ${s.failed}\n`);
  out.write(`  seconds       ${s.seconds.toFixed(2)}\n`);
  for (const p of s.problems) out.write(`  ${p.outcome}: ${p.path}: ${p.reason}\n`);
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('ingest one mounted recorder or folder now (one-shot) and print a summary')
    .argument('<dir>', 'the recorder mount point or folder')
    .option('--recorder <id>', 'recorder id (default: the folder name)')
    .option('--officer <id>', 'officer number the recorder was assigned to')
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string, opts: { recorder?: string; officer?: string; json?: boolean }, cmd: Command) => {
      const root = path.resolve(dir);
      let st;
      try {
        st = statSync(root);
      } catch {
        throw new CliError(`${root} does not exist; give the recorder's mount point or folder`);
      }
      if (!st.isDirectory()) throw new CliError(`${root} is not a folder; give the recorder's mount point or folder`);
      const cli = openCli(cmd);
      try {
        // The CLI logs to stderr so stdout stays the summary.
        const logger = createLogger(cli.config.log.level === 'info' ? 'warn' : cli.config.log.level, { pretty: false, destination: 2 });
        const ctx = { db: cli.db, config: cli.config, home: cli.home, logger, actor: cli.actor, hooks: standardHooks() };
        await recoverAtStart(ctx);
        const controller = new AbortController();
        const onSignal = () => controller.abort(new Error('interrupted by signal'));
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        // The card's own identity files (ZFY_INFO.TXT ...): the most trusted source of attribution.
        const claims = await readIdentityFiles(root).catch(() => []);
        const identity = claims.length ? (JSON.parse(JSON.stringify({ claims })) as Record<string, Json>) : undefined;
        const summary = await ingestRecorder(ctx, { root, recorderId: opts.recorder ?? path.basename(root), officerId: opts.officer ?? null, slot: null, dockedAt: new Date(), identity }, { signal: controller.signal });
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (opts.json) printJson(summary);
        else printSummary(summary);
        if (summary.failed || summary.status !== 'done') process.exitCode = EXIT_PROBLEM;
      } finally {
        await endIngestHelpers().catch(() => undefined);
        cli.close();
      }
    });
}
