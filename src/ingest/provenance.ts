// Provenance of a staged copy (issue 3): its metadata, its name, the recorder and officer it is
// attributed to (registry + assignment history), as typed data for provenance.json's "derived";
// and, at the hold, the provenance row with the audit entry of its conflicts.
import type { Json } from '../lib/json.js';
import { formatInZone, zoneOffsetMinutes } from '../lib/time-zone.js';
import { appendAuditEntry } from '../audit/log.js';
import type { Config } from '../config.js';
import {
  attribute,
  compileConventions,
  parseRecordingName,
  readRecordingMetadata,
  type Assignment,
  type AttributionInput,
  type Flag,
  type IdentityFact,
  type MetadataResult,
  type NameConvention,
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
import type { DerivedProvenance, IngestContext, RecorderSource, SourceFile } from './types.js';

export const METHOD = 'body-worn recorder';

/** The configured name conventions, compiled once per configuration. */
let compiledConventions: { config: Config; conventions: NameConvention[] } | undefined;

function conventionsFor(config: Config): { conventions: NameConvention[]; builtins: boolean } {
  if (compiledConventions?.config !== config) compiledConventions = { config, conventions: compileConventions(config.meta?.name_conventions ?? []) };
  return { conventions: compiledConventions.conventions, builtins: config.meta?.builtin_name_conventions ?? true };
}

export function readsMetadata(config: Config): boolean {
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
  file: { path: string; source: SourceFile; recorder: RecorderSource; signal?: AbortSignal },
): Promise<DerivedProvenance> {
  const timezone = config.station.timezone;
  const metadata: MetadataResult = readsMetadata(config)
    ? await readRecordingMetadata(file.path, { timezone, signal: file.signal })
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

  // A copy let go while its metadata was read: the catalog (maybe closed by now) is not read.
  file.signal?.throwIfAborted();
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
  const assignments = registryAssignments(db, recorderIds);
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

/** Flags worth an audit entry of their own (disagreements and unknowns). */
const AUDITED_FLAGS = new Set(['recorder-conflict', 'officer-conflict', 'assignment-ambiguous', 'recorder-unknown', 'officer-unknown', 'start-time-conflict']);

/** The audit entry for a held original's provenance conflicts and unknowns (none when there are none). */
function auditProvenanceFlags(ctx: IngestContext, evidenceNumber: string, d: DerivedProvenance, at: Date): void {
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
    at,
  });
}

/**
 * Inside the hold's transaction: the provenance row (as the store mapped it from provenance.json)
 * and its conflicts' audit entry, in a savepoint: a refused row rolls back with its entry and
 * the error goes to the caller, the hold goes on.
 */
export function recordProvenanceRow(ctx: IngestContext, row: ProvenanceRow, d: DerivedProvenance, at: Date): void {
  ctx.db.transaction(() => {
    insertProvenance(ctx.db, row);
    auditProvenanceFlags(ctx, row.evidence_number, d, at);
  })();
}

/** The registry's assignments of these recorders (and what supersedes them), as attribution reads them. */
export function registryAssignments(db: Db, recorderIds: readonly string[]): Assignment[] {
  return assignmentsOf(db, recorderIds).map((a) => ({
    id: a.id,
    recorder: a.recorder_serial,
    officer: a.officer_number,
    from: new Date(a.from_ms).toISOString(),
    to: a.to_ms === null ? null : new Date(a.to_ms).toISOString(),
    supersedes: a.supersedes,
  }));
}
