// `evidock ingest <dir>`: one docking now, of a mounted recorder or a folder, through the same
// station opening and docking path as the daemon; prints the session's summary.
import { statSync } from 'node:fs';
import { forTerminal } from '../lib/terminal-text.js';
import path from 'node:path';
import type { Command } from 'commander';
import { currentActor } from '../audit/log.js';
import { createLogger } from '../daemon/logger.js';
import { identifyDocked } from '../dock/identify.js';
import { runDocking } from '../ingest/docking.js';
import type { IngestSummary } from '../ingest/session.js';
import { openStation } from '../ingest/station.js';
import { CliError, EXIT_PROBLEM, formatBytes, loadHomeConfig, printJson } from './context.js';
import { progressBar } from './progress.js';

export function printSummary(s: IngestSummary): void {
  const out = process.stdout;
  out.write(`session ${s.sessionId} (${s.status})\n`);
  out.write(`  recorder      ${s.recorderId === null ? 'unknown' : forTerminal(s.recorderId)}\n`);
  out.write(`  held          ${s.held} (${formatBytes(s.bytesHeld)})\n`);
  out.write(`  already held  ${s.alreadyHeld}\n`);
  out.write(`  skipped       ${s.skipped}\n`);
  out.write(`  failed        ${s.failed}\n`);
  out.write(`  seconds       ${s.seconds.toFixed(2)}\n`);
  for (const p of s.problems) out.write(`  ${p.outcome}: ${forTerminal(p.path)}: ${forTerminal(p.reason)}\n`);
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
      const { config, home } = loadHomeConfig(cmd);
      // The CLI logs to stderr so stdout stays the summary.
      const logger = createLogger(config.log.level === 'info' ? 'warn' : config.log.level, { pretty: false, destination: 2 });
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error('interrupted by signal'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // One writer per home: a running daemon refuses this ingest (exit 2, naming its pid and the
      // docks folder); another `evidock ingest` is waited for, with a message saying so.
      let station;
      try {
        station = await openStation(config, home, logger, {
          actor: currentActor('cli'),
          as: 'ingest',
          waitForIngest: { signal: controller.signal, onWaiting: (_holder, message) => process.stderr.write(`evidock: ${message}\n`) },
        });
      } catch (err) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (controller.signal.aborted) throw new CliError('stopped waiting for the home; nothing was copied', EXIT_PROBLEM);
        throw err;
      }
      try {
        // The folder is docked as a recorder: its identity files (ZFY_INFO.TXT ...) read as any dock reads them.
        const docked = {
          slot: path.basename(root),
          mountPath: root,
          identity: await identifyDocked({ mountPath: root }),
          recorderHint: opts.recorder ?? path.basename(root),
          officerHint: opts.officer,
          dockedAt: new Date(),
        };
        const bar = progressBar('ingest', { json: opts.json, unit: 'bytes' });
        const result = await runDocking(station, docked, {
          signal: controller.signal,
          onSlot: (u) => void (u.bytesTotal ? bar.update(u.bytesDone ?? 0, u.bytesTotal) : undefined),
        }).finally(() => bar.stop());
        const summary = result!.summary; // null only when called off while waiting for a turn: the CLI never waits
        if (opts.json) printJson(summary);
        else printSummary(summary);
        if (summary.failed || summary.status !== 'done') process.exitCode = EXIT_PROBLEM;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await station.close();
      }
    });
}
