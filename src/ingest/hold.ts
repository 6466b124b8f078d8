// Hold stage: ask the store's door to hold one staged copy, with its derived provenance in
// provenance.json; inside the hold's catalog transaction, the session's sighting, the file.held
// audit entry and the provenance row (with its conflicts' entry, in a savepoint).
import type { Json } from '../lib/json.js';
import type { OriginalsStore } from '../store/originals.js';
import type { ProvenanceRow } from '../store/provenance.js';
import type { OriginalRow } from '../store/records.js';
import path from 'node:path';
import { identityJson } from './identity-json.js';
import { derivedJson, recordProvenanceRow } from './provenance.js';
import type { SessionRecord } from './session-record.js';
import type { Described, HeldItem, IngestContext, IngestProgress, RecorderSource, StagedItem } from './types.js';

export interface HoldEnv {
  ctx: IngestContext;
  originals: OriginalsStore;
  recorder: RecorderSource;
  record: SessionRecord;
  report(p: Partial<IngestProgress>): void;
}

/** provenance.json's "derived": the derived facts, or why there are none. */
function derivedMember(d: Described): Record<string, Json> | null {
  if (d.provenance) return derivedJson(d.provenance);
  return d.reason ? { unavailable: true, reason: d.reason } : null;
}

/** Holds a staged item; undefined when the same bytes were held meanwhile (then recorded as already held). */
export async function holdStaged(env: HoldEnv, item: StagedItem): Promise<HeldItem | undefined> {
  const { ctx, record, recorder } = env;
  env.report({ phase: 'committing' });
  const described = await item.described;
  const heldAt = record.clock();
  const inCommit = (original: OriginalRow, row: ProvenanceRow | null): void => {
    record.heldInCommit(original, item.source, heldAt);
    if (row && described.provenance) {
      try {
        recordProvenanceRow(ctx, row, described.provenance, heldAt);
      } catch (err) {
        record.log.error({ err, evidence: original.evidence_number }, 'provenance row not written; the original is held without it');
      }
    }
  };
  const outcome = await env.originals.hold(item.staged, {
    heldAt,
    file: {
      fileName: path.posix.basename(item.source.path),
      sourcePath: item.source.path,
      sourcePathRaw: item.source.rawPath,
      sourceMtimeMs: item.source.mtimeMs,
      sha256: item.digests.sha256,
      sm3: item.digests.sm3 ?? null,
      size: item.bytes,
      recorderId: recorder.recorderId,
      officerId: recorder.officerId ?? null,
      sessionId: record.sessionId,
    },
    about: { recorderIdentity: recorder.identity ? identityJson(recorder.identity) : null, slot: recorder.slot ?? null, dockedAt: recorder.dockedAt?.toISOString() ?? null },
    derived: derivedMember(described),
    message: `held by evidock from ${recorder.recorderId ?? 'unknown recorder'}: ${item.source.path}`,
    inCommit,
  });
  // Another recorder docked at the same time may have held the same bytes while this copy was staged.
  if ('alreadyHeld' in outcome) {
    record.alreadyHeld(item.entry, outcome.alreadyHeld);
    return undefined;
  }
  record.held(outcome.held);
  return { original: outcome.held, source: item.source, described };
}
