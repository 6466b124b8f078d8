// Provenance of each held original (issue 3): read the staged copy's metadata, parse its name,
// attribute recorder and officer (registry + assignment history), put it all in the object's
// provenance.json ("derived") and, once held, in the catalog's provenance table.
// Metadata is read from the staged copy, never from the recorder; bad media is held anyway
// with the reason; nothing here can block or alter a hold.
import type { Json } from '../audit/log.js';
import { appendAuditEntry } from '../audit/log.js';
import type { Config } from '../config.js';
import {
  attribute,
  compileConventions,
  formatInZone,
  parseRecordingName,
  zoneOffsetMinutes,
  readRecordingMetadata,
  type Attribution,
  type AttributionInput,
  type Flag,
  type IdentityFact,
  type MetadataResult,
  type NameConvention,
  type ParsedName,
} from '../meta/index.js';
import type { Db } from '../store/catalog.js';
import { insertProvenance, type ProvenanceRow } from '../store/provenance.js';
import {
  assignmentsOf,
  findOfficer,
  findRecorder,
  recorderAliases,
  registryHas,
  type OfficerRow,
  type RecorderRow,
} from '../store/registry.js';
import type { IngestContext, IngestHooks, RecorderSource, SourceFile } from './session.js';

export const METHOD = 'body-worn recorder';

/** Everything derived for one file; what goes into provenance.json and the catalog row. */
export interface DerivedProvenance {
  metadata: MetadataResult;
  fileName: ParsedName | null;
  attribution: Attribution;
  recordedStart: string | null;
  recordedEnd: string | null;
  startMs: number | null;
  endMs: number | null;
  startSource: string | null;
  method: string;
  flags: Flag[];
}

const conventionCache = new WeakMap<Config, NameConvention[]>();

function conventionsFor(config: Config): { conventions: NameConvention[]; builtins: boolean } {
  const meta = config.meta;
  let compiled = conventionCache.get(config);
  if (!compiled) {
    compiled = compileConventions(meta?.name_conventions ?? []);
    conventionCache.set(config, compiled);
  }
  return { conventions: compiled, builtins: meta?.builtin_name_conventions ?? true };
}

function readsMetadata(config: Config): boolean {
  return config.meta?.read_metadata ?? true;
}

/** The identity claims that name a recorder or an officer (USB serial, identity files, vendor protocol). */
export function identityFacts(identity: RecorderSource['identity']): IdentityFact[] {
  return (identity?.claims ?? [])
    .filter((c) => c.deviceId !== undefined || c.officerId !== undefined)
    .map((c) => ({ source: c.source, where: c.where, deviceId: c.deviceId, officerId: c.officerId }));
}

/** Derives provenance for one file (never throws for bad media). */
export async function deriveProvenance(
  db: Db,
  config: Config,
  file: { path: string; source: SourceFile; recorder: RecorderSource },
): Promise<DerivedProvenance> {
  const timezone = config.station.timezone;
  const metadata: MetadataResult = readsMetadata(config)
    ? await readRecordingMetadata(file.path, { timezone })
    : { available: false, reason: 'metadata reading is off (meta.read_metadata = false)', mimeType: null };
  const { conventions, builtins } = conventionsFor(config);
  const fileName = parseRecordingName(file.source.rawPath, { conventions, builtins, timezone });

  const flags: Flag[] = [];
  let startMs: number | null = null;
  let startSource: string | null = null;
  let durationMs: number | null = null;
  if (metadata.available) {
    if (metadata.startUtc) {
      startMs = Date.parse(metadata.startUtc);
      startSource = metadata.startSource;
    }
    if (metadata.durationSeconds !== null) durationMs = Math.round(metadata.durationSeconds * 1000);
  } else {
    flags.push({ code: 'metadata-unavailable', message: metadata.reason });
  }
  if (fileName?.start) {
    const fromName = Date.parse(fileName.start);
    if (startMs === null) {
      startMs = fromName;
      startSource = 'file-name';
    } else if (
      startSource === 'quicktime-create-date' &&
      Math.abs(startMs - fromName - zoneOffsetMinutes(fromName, timezone) * 60_000) <= 2000 &&
      Math.abs(fromName - startMs) > 2000
    ) {
      // The QuickTime spec says UTC, but many recorders write their local wall time there: off
      // by exactly the station's offset from the name's time. Read it as station time, and say so.
      flags.push({
        code: 'start-time-zone-corrected',
        message: `the movie header's time ${formatInZone(startMs, timezone)} (UTC by the QuickTime spec) is off from the file name's ${fileName.start} by exactly the station's offset: read as station time`,
      });
      startMs = fromName;
      startSource = 'quicktime-local-time';
    } else if (Math.abs(fromName - startMs) > 2000) {
      flags.push({
        code: 'start-time-conflict',
        message: `the file name says ${fileName.start}, the metadata says ${formatInZone(startMs, timezone)}; the metadata is used`,
      });
    }
  }
  const endMs = startMs !== null && durationMs !== null ? startMs + durationMs : null;

  // Only the registry rows this file's claims touch are read (a station may have thousands).
  const aliases = recorderAliases(db);
  const base: AttributionInput = {
    identity: identityFacts(file.recorder.identity),
    fileName: fileName ? { deviceId: fileName.deviceId, officer: fileName.officer, where: `${fileName.family} name` } : null,
    metadata: metadata.available ? { serial: metadata.serial, where: 'recording metadata' } : null,
    dock: { recorderId: file.recorder.recorderId, officerId: file.recorder.officerId ?? null, source: 'dock', where: file.recorder.slot ? `slot ${file.recorder.slot}` : 'docking' },
    recordedAt: startMs !== null ? new Date(startMs).toISOString() : null,
    recorderAliases: aliases,
  };
  const named = attribute(base);
  const recorderIds = [...new Set(named.recorder.claims.map((c) => c.value))];
  const assignments = assignmentsOf(db, recorderIds).map((a) => ({
    id: a.id,
    recorder: a.recorder_serial,
    officer: a.officer_number,
    from: new Date(a.from_ms).toISOString(),
    to: a.to_ms === null ? null : new Date(a.to_ms).toISOString(),
    supersedes: a.supersedes,
  }));
  const withAssignments = attribute({ ...base, assignments });
  const officerIds = [...new Set(withAssignments.officer.claims.map((c) => c.value))];
  const knownRecorders = recorderIds.map((id) => findRecorder(db, id)).filter((r): r is RecorderRow => r !== undefined);
  const knownOfficers = officerIds.map((id) => findOfficer(db, id)).filter((o): o is OfficerRow => o !== undefined);
  const attribution = attribute({
    ...base,
    assignments,
    // Unregistered ids are flagged only once the station keeps a registry.
    registeredRecorders: registryHas(db, 'recorders') ? new Set(knownRecorders.map((r) => r.serial.toUpperCase())) : undefined,
    registeredOfficers: registryHas(db, 'officers') ? new Set(knownOfficers.map((o) => o.number.toUpperCase())) : undefined,
  });
  flags.push(...attribution.flags);

  const recorderRow = attribution.recorder.value
    ? knownRecorders.find((r) => r.serial.toUpperCase() === attribution.recorder.value!.toUpperCase())
    : undefined;
  const make = (metadata.available ? metadata.make : null) ?? recorderRow?.make ?? null;
  const model = (metadata.available ? metadata.model : null) ?? recorderRow?.model ?? null;
  const method = [METHOD, make, model].filter(Boolean).join(' ');

  return {
    metadata,
    fileName,
    attribution,
    recordedStart: startMs !== null ? formatInZone(startMs, timezone) : null,
    recordedEnd: endMs !== null ? formatInZone(endMs, timezone) : null,
    startMs,
    endMs,
    startSource,
    method,
    flags,
  };
}

/** The "derived" member of provenance.json. */
export function derivedJson(d: DerivedProvenance): Record<string, Json> {
  return {
    provenance: {
      method: d.method,
      recorder: { id: d.attribution.recorder.value, source: d.attribution.recorder.source, claims: d.attribution.recorder.claims as unknown as Json, conflict: d.attribution.recorder.conflict },
      officer: { id: d.attribution.officer.value, source: d.attribution.officer.source, claims: d.attribution.officer.claims as unknown as Json, conflict: d.attribution.officer.conflict },
      recorded: { start: d.recordedStart, end: d.recordedEnd, startSource: d.startSource },
      fileName: d.fileName as unknown as Json,
      flags: d.flags as unknown as Json,
    },
    media: JSON.parse(JSON.stringify(d.metadata)) as Json,
  };
}

export function provenanceRow(evidenceNumber: string, d: DerivedProvenance, derivedAt: string): ProvenanceRow {
  const m = d.metadata.available ? d.metadata : null;
  return {
    evidence_number: evidenceNumber,
    recorder_id: d.attribution.recorder.value,
    recorder_source: d.attribution.recorder.source,
    officer_id: d.attribution.officer.value,
    officer_source: d.attribution.officer.source,
    claims: JSON.stringify({ recorder: d.attribution.recorder.claims, officer: d.attribution.officer.claims }),
    flags: JSON.stringify(d.flags),
    method: d.method,
    make: m?.make ?? null,
    model: m?.model ?? null,
    serial: m?.serial ?? null,
    recorded_start: d.recordedStart,
    recorded_end: d.recordedEnd,
    start_ms: d.startMs,
    end_ms: d.endMs,
    start_source: d.startSource,
    duration_seconds: m?.durationSeconds ?? null,
    media_kind: m?.kind ?? null,
    video_codec: m?.videoCodec ?? null,
    audio_codec: m?.audioCodec ?? null,
    width: m?.width ?? null,
    height: m?.height ?? null,
    frame_rate: m?.frameRate ?? null,
    has_audio: m ? (m.hasAudio ? 1 : 0) : null,
    gps_latitude: m?.gps?.latitude ?? null,
    gps_longitude: m?.gps?.longitude ?? null,
    metadata_available: m ? 1 : 0,
    metadata_reason: d.metadata.available ? null : d.metadata.reason,
    name_family: d.fileName?.family ?? null,
    name_seq: d.fileName?.seq ?? null,
    derived_at: derivedAt,
  };
}

/** Flags worth an audit entry of their own (disagreements and unknowns). */
const AUDITED_FLAGS = new Set(['recorder-conflict', 'officer-conflict', 'assignment-ambiguous', 'recorder-unknown', 'officer-unknown', 'start-time-conflict']);

/** The audit entry for a held original's provenance conflicts and unknowns (none when there are none). */
export function auditProvenanceFlags(ctx: IngestContext, evidenceNumber: string, d: DerivedProvenance): void {
  const audited = d.flags.filter((f) => AUDITED_FLAGS.has(f.code));
  if (!audited.length) return;
  appendAuditEntry(ctx.db, {
    type: 'provenance.flagged',
    data: {
      evidenceNumber,
      recorder: d.attribution.recorder.value,
      officer: d.attribution.officer.value,
      flags: audited as unknown as Json,
    },
    actor: ctx.actor,
    at: (ctx.clock ?? (() => new Date()))(),
  });
}

/**
 * Writes the provenance row (and an audit entry for conflicts) for a held original, in its own
 * transaction, or in a savepoint when called inside the commit transaction.
 */
export function recordProvenance(ctx: IngestContext, evidenceNumber: string, d: DerivedProvenance): void {
  const at = (ctx.clock ?? (() => new Date()))();
  const row = provenanceRow(evidenceNumber, d, at.toISOString());
  ctx.db.transaction(() => {
    insertProvenance(ctx.db, row);
    auditProvenanceFlags(ctx, evidenceNumber, d);
  })();
}

/** The provenance step of every ingest session. */
export function provenanceHooks(): IngestHooks {
  // describeStaged, inCommit and afterHeld get the same SourceFile object for one file.
  const pending = new WeakMap<SourceFile, DerivedProvenance>();
  const written = new WeakSet<SourceFile>();
  return {
    async describeStaged(file, ctx) {
      const d = await deriveProvenance(ctx.db, ctx.config, { path: file.stagedPath, source: file.source, recorder: file.recorder });
      pending.set(file.source, d);
      if (d.flags.length) ctx.logger.info({ path: file.source.path, flags: d.flags.map((f) => f.code) }, 'provenance flags');
      return derivedJson(d);
    },
    // The row (mapped by the store from provenance.json's "derived") is written with the original,
    // in the same transaction: never one without the other. A savepoint: a refused row rolls back
    // with its audit entry, the hold goes on.
    inCommit(held, ctx) {
      const d = pending.get(held.source);
      if (!d || !held.provenance) return;
      const row = held.provenance;
      ctx.db.transaction(() => {
        insertProvenance(ctx.db, row);
        auditProvenanceFlags(ctx, held.original.evidence_number, d);
      })();
      written.add(held.source);
      pending.delete(held.source);
    },
    async afterHeld(held, ctx) {
      if (written.has(held.source)) {
        written.delete(held.source);
        return;
      }
      let d = pending.get(held.source);
      pending.delete(held.source);
      // Without describeStaged (another hook set), read the held copy now.
      d ??= await deriveProvenance(ctx.db, ctx.config, { path: held.contentFile, source: held.source, recorder: held.recorder });
      recordProvenance(ctx, held.original.evidence_number, d);
    },
  };
}
