// evidock show <evidence-number|sha256>: one recording's full provenance and flags (Art. 8, 11:
// how, when, by whom; where it is stored; digests).
import { forTerminal } from '../lib/terminal-text.js';
import type { Command } from 'commander';
import type { Db } from '../store/catalog.js';
import { openConfiguredOriginals } from '../store/open-originals.js';
import type { OriginalsStore } from '../store/originals.js';
import { findProvenance } from '../store/provenance.js';
import { findOriginal, findOriginalBySha256 } from '../store/records.js';
import { findOfficer, findRecorder } from '../store/registry.js';
import { provesNotesOf } from '../store/proves-notes.js';
import { ruleFactsOfRecording } from '../store/recording-facts.js';
import { notARecordingReason } from '../store/rules-facts.js';
import { casesAndHoldsOf } from '../cases/recording-links.js';
import { CliError, EXIT_PROBLEM, formatBytes, openCli, printJson } from './context.js';

/** Everything known about one held original, as JSON. */
export function describeOriginal(db: Db, key: string, store: Pick<OriginalsStore, 'locate'>): Record<string, unknown> | null {
  const k = key.trim();
  const o = findOriginal(db, k) ?? (/^[0-9a-fA-F]{64}$/.test(k) ? findOriginalBySha256(db, k.toLowerCase()) : undefined);
  if (!o) return null;
  const p = findProvenance(db, o.evidence_number);
  const claims = p ? (JSON.parse(p.claims) as { recorder: unknown[]; officer: unknown[] }) : { recorder: [], officer: [] };
  const recorderId = p?.recorder_id ?? o.recorder_id;
  const officerId = p?.officer_id ?? o.officer_id;
  const rec = recorderId ? findRecorder(db, recorderId) : undefined;
  const off = officerId ? findOfficer(db, officerId) : undefined;
  const rules = ruleFactsOfRecording(db, o.evidence_number);
  const where = store.locate(o);
  return {
    evidenceNumber: o.evidence_number,
    method: p?.method ?? 'body-worn recorder',
    recorded: p
      ? { start: p.recorded_start, end: p.recorded_end, startSource: p.start_source, durationSeconds: p.duration_seconds }
      : null,
    recorder: {
      id: recorderId,
      source: p?.recorder_source ?? (o.recorder_id ? 'session' : null),
      make: p?.make ?? rec?.make ?? null,
      model: p?.model ?? rec?.model ?? null,
      registered: rec ?? null,
      claims: claims.recorder,
    },
    officer: {
      id: officerId,
      source: p?.officer_source ?? (o.officer_id ? 'session' : null),
      name: off?.name ?? null,
      unit: off?.unit ?? null,
      registered: off ?? null,
      claims: claims.officer,
    },
    file: {
      name: o.file_name,
      sourcePath: o.source_path,
      sourcePathBase64: o.source_path_raw.toString('base64'),
      size: o.size,
      sourceMtime: o.source_mtime_ms === null ? null : new Date(o.source_mtime_ms).toISOString(),
      nameConvention: p?.name_family ? { family: p.name_family, seq: p.name_seq } : null,
    },
    media: p
      ? {
          available: p.metadata_available === 1,
          reason: p.metadata_reason,
          kind: p.media_kind,
          serial: p.serial,
          videoCodec: p.video_codec,
          audioCodec: p.audio_codec,
          width: p.width,
          height: p.height,
          frameRate: p.frame_rate,
          hasAudio: p.has_audio === null ? null : p.has_audio === 1,
          gps: p.gps_latitude !== null && p.gps_longitude !== null ? { latitude: p.gps_latitude, longitude: p.gps_longitude } : null,
        }
      : null,
    // A device file (ZFY_INFO.TXT, DEVICE.LOG) is held as found on the card, but is no recording.
    recording: !notARecordingReason(db, o.evidence_number),
    digests: { sha256: o.sha256, sm3: o.sm3 },
    storage: {
      objectId: o.object_id,
      objectPath: o.object_path,
      contentPath: o.content_path,
      file: where.content,
      provenanceJson: where.provenance,
    },
    heldAt: o.held_at,
    session: o.session_id,
    flags: p ? JSON.parse(p.flags) : [{ code: 'provenance-missing', message: 'no provenance was derived for this original' }],
    rules,
    proves: provesNotesOf(db, o.evidence_number).map((n) => ({ text: n.text, case: n.case_ref, notedBy: n.noted_by, notedAt: n.noted_at })),
    ...casesAndHoldsOf(db, o.evidence_number),
  };
}

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
