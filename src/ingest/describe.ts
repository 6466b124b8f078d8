// Describe step: derive a staged copy's provenance (metadata, file name, attribution, recording
// time) once, from the copy, never from the recorder. Never rejects: a describe error is kept as
// its reason and never blocks the hold.
import { endMetadataReaders } from '../meta/index.js';
import { reasonOf } from './failure.js';
import { deriveProvenance } from './provenance.js';
import type { Staged } from './stage.js';
import type { Described, DescribeFn, IngestContext, RecorderSource } from './types.js';
import type { Logger } from 'pino';

const deriveFromCopy: DescribeFn = (file, ctx) => deriveProvenance(ctx.db, ctx.config, { path: file.stagedPath, source: file.source, recorder: file.recorder });

export async function describeStaged(ctx: IngestContext, staged: Staged, recorder: RecorderSource, log: Logger): Promise<Described> {
  try {
    const provenance = await (ctx.describe ?? deriveFromCopy)({ stagedPath: staged.staged.contentFile, source: staged.source, recorder }, ctx);
    if (provenance?.flags.length) log.info({ path: staged.source.path, flags: provenance.flags.map((f) => f.code) }, 'provenance flags');
    return { provenance };
  } catch (err) {
    log.error({ err, path: staged.source.path }, 'a describe step failed; the original is held anyway');
    return { provenance: null, reason: reasonOf(err) };
  }
}

/** Ends the helper processes describing starts (exiftool, ffprobe). Call on shutdown. */
export async function endIngestHelpers(): Promise<void> {
  await endMetadataReaders();
}
