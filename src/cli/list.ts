// evidock list: held recordings with their provenance, filtered by officer, recorder, time.
import type { Command } from 'commander';
import { listRecordings } from '../store/provenance.js';
import { notARecordingReason } from '../store/rules-facts.js';
import { openCli, printJson, table } from './context.js';
import { parseTimeOption } from './registry-shared.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('held files in recording order, with recorder, officer and flags; device files (ZFY_INFO.TXT, ...) are marked as such')
    .option('--officer <number>', 'only recordings attributed to this officer')
    .option('--recorder <serial>', 'only recordings attributed to this recorder')
    .option('--from <time>', 'recorded at or after (2026-03-15, "2026-03-15 08:00" station time, or ISO with offset)')
    .option('--to <time>', 'recorded before')
    .option('--limit <n>', 'at most this many')
    .option('--json', 'print as JSON')
    .action((opts: { officer?: string; recorder?: string; from?: string; to?: string; limit?: string; json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd, { readOnlyOk: true });
      try {
        const tz = cli.config.station.timezone;
        const rows = listRecordings(cli.db, {
          officer: opts.officer,
          recorder: opts.recorder,
          fromMs: opts.from ? parseTimeOption(opts.from, '--from', tz) : undefined,
          toMs: opts.to ? parseTimeOption(opts.to, '--to', tz) : undefined,
          limit: opts.limit && Number(opts.limit) > 0 ? Math.floor(Number(opts.limit)) : undefined,
        });
        const out = rows.map((r) => ({
          // Device files (ZFY_INFO.TXT, DEVICE.LOG) are held as found, but are no recordings.
          recording: !notARecordingReason(cli.db, r.evidence_number),
          evidenceNumber: r.evidence_number,
          recordedStart: r.recorded_start,
          recordedEnd: r.recorded_end,
          durationSeconds: r.duration_seconds,
          recorder: r.recorder_id,
          officer: r.officer_id,
          kind: r.media_kind,
          metadataAvailable: r.metadata_available === null ? null : r.metadata_available === 1,
          fileName: r.file_name,
          sourcePath: r.source_path,
          sha256: r.sha256,
          size: r.size,
          heldAt: r.held_at,
          flags: r.flags ? (JSON.parse(r.flags) as { code: string }[]).map((f) => f.code) : ['provenance-missing'],
        }));
        cli.logRead('records.listed', { officer: opts.officer, recorder: opts.recorder, from: opts.from, to: opts.to, count: out.length });
        if (opts.json) return printJson(out);
        if (!out.length) return void process.stdout.write('no held recordings match\n');
        process.stdout.write(
          table(
            ['evidence', 'recorded', 'secs', 'recorder', 'officer', 'kind', 'file', 'flags'],
            out.map((r) => [r.evidenceNumber, r.recordedStart ?? 'unknown', r.durationSeconds ?? '', r.recorder ?? '?', r.officer ?? '?', r.recording ? (r.kind ?? '-') : 'device file', r.sourcePath, r.flags.join(' ')]),
          ),
        );
      } finally {
        cli.close();
      }
    });
}
