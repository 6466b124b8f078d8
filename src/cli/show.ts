// evidock show <evidence-number|sha256>: one recording's full provenance and flags (Art. 8, 11:
// how, when, by whom; where it is stored; digests).
import { forTerminal } from '../lib/terminal-text.js';
import type { Command } from 'commander';
import { openConfiguredOriginals } from '../store/open-originals.js';
import { describeOriginal } from '../cases/original-detail.js';
import { CliError, EXIT_PROBLEM, formatBytes, openCli, printJson } from './context.js';

export { describeOriginal };

export function registerShow(program: Command): void {
  program
    .command('show')
    .description("one recording's full provenance: how, when, by whom, where stored, digests, flags")
    .argument('<key>', 'evidence number or SHA-256')
    .option('--json', 'print as JSON')
    .action((key: string, opts: { json?: boolean }, cmd: Command) => {
      const cli = openCli(cmd, { readOnlyOk: true });
      try {
        const d = describeOriginal(cli.db, key, openConfiguredOriginals(cli.config, cli.home, cli.db)) as any;
        if (!d) throw new CliError(`no held recording has evidence number or SHA-256 ${JSON.stringify(key)} (see \`evidock list\`)`, EXIT_PROBLEM);
        cli.logRead('record.read', { evidenceNumber: d.evidenceNumber });
        if (opts.json) return printJson(d);
        const out = process.stdout;
        const line = (k: string, v: unknown) => out.write(`${k.padEnd(14)}${v === null || v === undefined || v === '' ? '-' : forTerminal(v)}\n`);
        line('evidence', d.evidenceNumber);
        if (!d.recording) line('kind', 'device file, not a recording: held as found on the card; no Art. 10 deadline');
        line('method', d.method);
        line('recorded', d.recorded ? `${d.recorded.start ?? 'unknown'} .. ${d.recorded.end ?? '?'}${d.recorded.startSource ? ` (from ${d.recorded.startSource})` : ''}` : 'unknown');
        line('recorder', d.recorder.id ? `${d.recorder.id}${d.recorder.source ? ` (from ${d.recorder.source})` : ''}${d.recorder.registered ? '' : ' [not registered]'}` : 'unknown');
        line('officer', d.officer.id ? `${d.officer.id}${d.officer.name ? ` ${d.officer.name}` : ''}${d.officer.source ? ` (from ${d.officer.source})` : ''}${d.officer.registered ? '' : ' [not registered]'}` : 'unknown');
        line('file', `${d.file.sourcePath} (${formatBytes(d.file.size)})`);
        if (d.media) {
          if (d.media.available) {
            const v = [d.media.kind, d.media.videoCodec, d.media.width && d.media.height ? `${d.media.width}x${d.media.height}` : null, d.media.frameRate ? `${d.media.frameRate} fps` : null, d.media.audioCodec ? `audio ${d.media.audioCodec}` : null]
              .filter(Boolean)
              .join(', ');
            line('media', v);
            if (d.media.gps) line('gps', `${d.media.gps.latitude}, ${d.media.gps.longitude}`);
          } else line('media', `metadata unavailable: ${d.media.reason}`);
        }
        line('sha256', d.digests.sha256);
        if (d.digests.sm3) line('sm3', d.digests.sm3);
        line('stored at', d.storage.file);
        line('held at', d.heldAt);
        line('session', d.session);
        if (d.rules?.deadline) line('deadline', `${d.rules.deadline.status}${d.rules.deadline.due_at ? ` (due ${d.rules.deadline.due_at})` : ''}`);
        const flags = [...d.flags, ...(d.rules?.clockFlags ?? []).map((c: any) => ({ code: `clock-${c.kind}`, message: c.reason }))];
        if (flags.length) {
          out.write('flags\n');
          for (const f of flags) out.write(`  ${forTerminal(f.code)}: ${forTerminal(f.message)}\n`);
        }
        if (d.proves.length) {
          out.write('proves (Art. 8)\n');
          for (const n of d.proves) out.write(`  ${n.notedAt} ${forTerminal(n.notedBy)}${n.case ? ` [case ${forTerminal(n.case)}]` : ''}: ${forTerminal(n.text)}\n`);
        }
        if (d.cases.length) line('cases', d.cases.map((c: any) => c.ref).join(', '));
        for (const h of d.holds) line(h.active ? 'hold' : 'hold (ended)', `#${h.id} ${h.reason}: ${h.text} (${h.addedAt}${h.active ? '' : `, released ${h.releasedAt} by ${h.releasedBy}`})`);
        for (const side of ['recorder', 'officer'] as const) {
          if (d[side].claims.length > 1) {
            out.write(`${side} sources\n`);
            for (const c of d[side].claims) out.write(`  ${c.source}${c.where ? ` (${forTerminal(c.where)})` : ''}: ${forTerminal(c.value)}\n`);
          }
        }
      } finally {
        cli.close();
      }
    });
}
