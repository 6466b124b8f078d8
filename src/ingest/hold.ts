// Hold stage: ask the store's door to hold staged copies (a batch at once where it can), each
// with its derived provenance in provenance.json; inside the hold's catalog transaction, each
// file's sighting, file.held audit entry and provenance row (its conflicts' entry in a savepoint).
import type { Json } from '../lib/json.js';
import type { HoldOutcome, HoldRequest, OriginalsStore } from '../store/originals.js';
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

/** The hold request of one staged item, with the catalog writes that go into its commit. */
function holdRequestOf(env: HoldEnv, item: StagedItem, described: Described): HoldRequest {
  const { ctx, record, recorder } = env;
  const heldAt = record.clock();
  const inCommit: HoldRequest['inCommit'] = (original, row, held) => {
    record.heldInCommit(original, item.source, heldAt, held);
    if (row && described.provenance) {
      try {
        recordProvenanceRow(ctx, row, described.provenance, heldAt);
      } catch (err) {
        record.log.error({ err, evidence: original.evidence_number }, 'provenance row not written; the original is held without it');
      }
    }
  };
  return {
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
  };
}

/** What a hold outcome means for the session: held, or recorded as already held (undefined). */
function settle(env: HoldEnv, item: StagedItem, described: Described, outcome: HoldOutcome): HeldItem | undefined {
  // Another recorder docked at the same time (or the same card twice) may have held the same bytes while this copy was staged.
  if ('alreadyHeld' in outcome) {
    env.record.alreadyHeld(item.entry, outcome.alreadyHeld);
    return undefined;
  }
  env.record.held(outcome.held);
  return { original: outcome.held, source: item.source, described };
}

/** Holds a staged item; undefined when the same bytes were held meanwhile (then recorded as already held). */
export async function holdStaged(env: HoldEnv, item: StagedItem): Promise<HeldItem | undefined> {
  return (await holdStagedBatch(env, [item]))[0];
}

/**
 * Holds staged items in order, in one batch where the store can (one durable flush, one catalog
 * transaction), else one by one. Each result: the held item, or undefined when already held.
 */
export async function holdStagedBatch(env: HoldEnv, items: readonly StagedItem[]): Promise<(HeldItem | undefined)[]> {
  env.report({ phase: 'committing' });
  const described = await Promise.all(items.map((item) => item.described));
  const requests = items.map((item, i) => ({ staged: item.staged, request: holdRequestOf(env, item, described[i]) }));
  const store = env.originals;
  const outcomes = store.holdMany ? await store.holdMany(requests) : await holdEach(store, requests);
  return outcomes.map((outcome, i) => settle(env, items[i], described[i], outcome));
}

async function holdEach(store: OriginalsStore, requests: { staged: StagedItem['staged']; request: HoldRequest }[]): Promise<HoldOutcome[]> {
  const outcomes: HoldOutcome[] = [];
  for (const r of requests) outcomes.push(await store.hold(r.staged, r.request));
  return outcomes;
}
