// Describe step: derive a staged copy's provenance (metadata, file name, attribution, recording
// time) once, from the copy, never from the recorder. Never rejects: a describe error is kept as
// its reason and never blocks the hold.
import type { Config } from '../config.js';
import { endMetadataReaders, startHelperSpawner } from '../meta/index.js';
import { reasonOf } from './failure.js';
import { deriveProvenance, readsMetadata } from './provenance.js';
import type { Staged } from './stage.js';
import type { Described, DescribeFn, IngestContext, RecorderSource } from './types.js';
import type { Logger } from 'pino';

const deriveFromCopy: DescribeFn = (file, ctx) => deriveProvenance(ctx.db, ctx.config, { path: file.stagedPath, source: file.source, recorder: file.recorder, signal: file.signal });

/**
 * `signal` is aborted when the copy is let go unheld (its session failed or stopped): this then
 * returns at once, and the step itself stops at its next boundary (before its next reader starts,
 * before it reads the catalog), so nothing of it outlives the session's use of the station.
 */
export async function describeStaged(ctx: IngestContext, staged: Staged, recorder: RecorderSource, log: Logger, signal?: AbortSignal): Promise<Described> {
  const step = describeOnce(ctx, staged, recorder, log, signal);
  if (!signal) return step;
  let onAbort!: () => void;
  const letGo = new Promise<Described>((resolve) => {
    onAbort = () => resolve({ provenance: null, reason: reasonOf(signal.reason) });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([step, letGo]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function describeOnce(ctx: IngestContext, staged: Staged, recorder: RecorderSource, log: Logger, signal?: AbortSignal): Promise<Described> {
  try {
    const provenance = await (ctx.describe ?? deriveFromCopy)({ stagedPath: staged.staged.contentFile, source: staged.source, recorder, signal }, ctx);
    if (provenance?.flags.length) log.info({ path: staged.source.path, flags: provenance.flags.map((f) => f.code) }, 'provenance flags');
    return { provenance };
  } catch (err) {
    // A copy let go unheld: its describe stopping is no failure to report.
    if (signal?.aborted) return { provenance: null, reason: reasonOf(signal.reason) };
    log.error({ err, path: staged.source.path }, 'a describe step failed; the original is held anyway');
    return { provenance: null, reason: reasonOf(err) };
  }
}

/**
 * Starts what starts describing's helper processes (exiftool, ffprobe): call before any card is
 * opened, so that no helper is ever forked from a process holding a card's file (spawner.ts).
 */
export function startIngestHelpers(config: Config): void {
  if (readsMetadata(config)) startHelperSpawner();
}

/** Ends the helper processes describing starts (exiftool, ffprobe). Call on shutdown. */
export async function endIngestHelpers(): Promise<void> {
  await endMetadataReaders();
}
