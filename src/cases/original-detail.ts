// One held original's full provenance as data (Art. 8, 11: how, when, by whom; where it is
// stored; digests; flags, rule facts, cases and holds): what `evidock show` prints and the
// supervisor page shows.
import type { Db } from '../store/catalog.js';
import type { OriginalsStore } from '../store/originals.js';
import { findProvenance } from '../store/provenance.js';
import { findOriginal, findOriginalBySha256 } from '../store/records.js';
import { findOfficer, findRecorder } from '../store/registry.js';
import { provesNotesOf } from '../store/proves-notes.js';
import { ruleFactsOfRecording } from '../store/recording-facts.js';
import { notARecordingReason } from '../store/rules-facts.js';
import { casesAndHoldsOf } from './recording-links.js';

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
