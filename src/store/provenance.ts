// Provenance rows of held originals (catalog table of migration 10): who, when, which recorder,
// with the source of each and the media facts. A fact: written once per original.
import type { Db } from './catalog.js';

export interface ProvenanceRow {
  evidence_number: string;
  recorder_id: string | null;
  recorder_source: string | null;
  officer_id: string | null;
  officer_source: string | null;
  claims: string;
  flags: string;
  method: string;
  make: string | null;
  model: string | null;
  serial: string | null;
  recorded_start: string | null;
  recorded_end: string | null;
  start_ms: number | null;
  end_ms: number | null;
  start_source: string | null;
  duration_seconds: number | null;
  media_kind: string | null;
  video_codec: string | null;
  audio_codec: string | null;
  width: number | null;
  height: number | null;
  frame_rate: number | null;
  has_audio: number | null;
  gps_latitude: number | null;
  gps_longitude: number | null;
  metadata_available: number;
  metadata_reason: string | null;
  name_family: string | null;
  name_seq: string | null;
  derived_at: string;
}

export function insertProvenance(db: Db, row: ProvenanceRow): void {
  db.prepare(
    `INSERT INTO provenance (evidence_number, recorder_id, recorder_source, officer_id, officer_source, claims, flags, method,
       make, model, serial, recorded_start, recorded_end, start_ms, end_ms, start_source, duration_seconds, media_kind,
       video_codec, audio_codec, width, height, frame_rate, has_audio, gps_latitude, gps_longitude, metadata_available,
       metadata_reason, name_family, name_seq, derived_at)
     VALUES (@evidence_number, @recorder_id, @recorder_source, @officer_id, @officer_source, @claims, @flags, @method,
       @make, @model, @serial, @recorded_start, @recorded_end, @start_ms, @end_ms, @start_source, @duration_seconds, @media_kind,
       @video_codec, @audio_codec, @width, @height, @frame_rate, @has_audio, @gps_latitude, @gps_longitude, @metadata_available,
       @metadata_reason, @name_family, @name_seq, @derived_at)`,
  ).run(row);
}

export function findProvenance(db: Db, evidenceNumber: string): ProvenanceRow | undefined {
  return db.prepare('SELECT * FROM provenance WHERE evidence_number = ?').get(evidenceNumber) as ProvenanceRow | undefined;
}

export interface ListFilter {
  officer?: string;
  recorder?: string;
  /** epoch ms, inclusive: recordings starting at or after */
  fromMs?: number;
  /** epoch ms, exclusive */
  toMs?: number;
  limit?: number;
}

export interface ListedRecording {
  evidence_number: string;
  file_name: string;
  source_path: string;
  sha256: string;
  size: number;
  held_at: string;
  session_id: string;
  recorder_id: string | null;
  officer_id: string | null;
  recorded_start: string | null;
  recorded_end: string | null;
  start_ms: number | null;
  duration_seconds: number | null;
  media_kind: string | null;
  flags: string | null;
  metadata_available: number | null;
}

/**
 * Held originals with their provenance, in recording order (then evidence number). The recorder
 * and officer are the attributed ones; originals without a provenance row fall back to the
 * session's recorder and officer.
 */
export function listRecordings(db: Db, f: ListFilter = {}): ListedRecording[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.officer) {
    where.push('COALESCE(p.officer_id, o.officer_id) = @officer COLLATE NOCASE');
    params.officer = f.officer;
  }
  if (f.recorder) {
    where.push('COALESCE(p.recorder_id, o.recorder_id) = @recorder COLLATE NOCASE');
    params.recorder = f.recorder;
  }
  if (f.fromMs !== undefined) {
    where.push('p.start_ms >= @fromMs');
    params.fromMs = f.fromMs;
  }
  if (f.toMs !== undefined) {
    where.push('p.start_ms < @toMs');
    params.toMs = f.toMs;
  }
  const sql = `SELECT o.evidence_number, o.file_name, o.source_path, o.sha256, o.size, o.held_at, o.session_id,
      COALESCE(p.recorder_id, o.recorder_id) AS recorder_id, COALESCE(p.officer_id, o.officer_id) AS officer_id,
      p.recorded_start, p.recorded_end, p.start_ms, p.duration_seconds, p.media_kind, p.flags, p.metadata_available
    FROM originals o LEFT JOIN provenance p ON p.evidence_number = o.evidence_number
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY p.start_ms IS NULL, p.start_ms, o.evidence_number
    ${f.limit ? 'LIMIT @limit' : ''}`;
  if (f.limit) params.limit = f.limit;
  return db.prepare(sql).all(params) as ListedRecording[];
}

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const msOf = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
};

/**
 * The provenance row of an original, rebuilt from its provenance.json "derived" member (as the
 * ingest step wrote it), for a catalog rebuilt from the store alone. null if it has none.
 */
export function provenanceRowFromDerived(evidenceNumber: string, derived: unknown, derivedAt: string): ProvenanceRow | null {
  const d = obj(derived);
  if (!d.provenance || !d.media) return null;
  const p = obj(d.provenance);
  const m = obj(d.media);
  const rec = obj(p.recorder);
  const off = obj(p.officer);
  const recorded = obj(p.recorded);
  const name = obj(p.fileName);
  const gps = obj(m.gps);
  const available = m.available === true;
  const durationMs = available && numOrNull(m.durationSeconds) !== null ? Math.round((m.durationSeconds as number) * 1000) : null;
  const startMs = msOf(recorded.start);
  return {
    evidence_number: evidenceNumber,
    recorder_id: strOrNull(rec.id),
    recorder_source: strOrNull(rec.source),
    officer_id: strOrNull(off.id),
    officer_source: strOrNull(off.source),
    claims: JSON.stringify({ recorder: Array.isArray(rec.claims) ? rec.claims : [], officer: Array.isArray(off.claims) ? off.claims : [] }),
    flags: JSON.stringify(Array.isArray(p.flags) ? p.flags : []),
    method: strOrNull(p.method) ?? 'body-worn recorder',
    make: available ? strOrNull(m.make) : null,
    model: available ? strOrNull(m.model) : null,
    serial: available ? strOrNull(m.serial) : null,
    recorded_start: strOrNull(recorded.start),
    recorded_end: strOrNull(recorded.end),
    start_ms: startMs,
    end_ms: msOf(recorded.end) ?? (startMs !== null && durationMs !== null ? startMs + durationMs : null),
    start_source: strOrNull(recorded.startSource),
    duration_seconds: available ? numOrNull(m.durationSeconds) : null,
    media_kind: available ? strOrNull(m.kind) : null,
    video_codec: available ? strOrNull(m.videoCodec) : null,
    audio_codec: available ? strOrNull(m.audioCodec) : null,
    width: available ? numOrNull(m.width) : null,
    height: available ? numOrNull(m.height) : null,
    frame_rate: available ? numOrNull(m.frameRate) : null,
    has_audio: available ? (m.hasAudio === true ? 1 : 0) : null,
    gps_latitude: available ? numOrNull(gps.latitude) : null,
    gps_longitude: available ? numOrNull(gps.longitude) : null,
    metadata_available: available ? 1 : 0,
    metadata_reason: available ? null : strOrNull(m.reason),
    name_family: strOrNull(name.family),
    name_seq: strOrNull(name.seq),
    derived_at: derivedAt,
  };
}
