// Stage stage: for one scanned file, the known-file check (path, size, mtime, confirmed by
// digest), then copy+hash+read-back into the store's staging (a card read error tried again after
// a pause, src/ingest/read-retry.ts), then the duplicate check.
// Returns the staged item, or undefined when there is nothing to hold.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.js';
import { formatBytes } from '../lib/bytes.js';
import { CardStalledError, copyWithDigest, hashFile } from '../hash/copy.js';
import type { DigestAlgorithm, Digests } from '../hash/digest.js';
import type { Db } from '../store/catalog.js';
import type { OriginalsStore, StagedObject } from '../store/originals.js';
import { findKnownFile, findOriginalBySha256 } from '../store/records.js';
import { reasonOf, recorderGone } from './failure.js';
import { cardReadRetryDelay, triesText } from './read-retry.js';
import type { SessionRecord } from './session-record.js';
import type { IngestProgress, RecorderSource, SourceFile, StagedItem } from './types.js';
import type { WalkEntry } from './walk.js';
import type { WriterGate, WriterPlace } from './writer-gate.js';

export interface StageEnv {
  db: Db;
  config: Config;
  originals: OriginalsStore;
  recorder: RecorderSource;
  record: SessionRecord;
  algorithms: readonly DigestAlgorithm[];
  /** Where a copy (or a confirming read) waits for its place and buffers. */
  writers: WriterGate;
  /** Whether this session has copied a file yet (fair start: those that have not go first). */
  started: boolean;
  /** The device of the recorder's root when docked (a lazily unmounted card is on another). */
  recorderDevice?: number;
  signal?: AbortSignal;
  report(p: Partial<IngestProgress>): void;
  /** Called once, when the session's first bytes are in staging. */
  firstBytes?(): void;
}

/** Copies up to this size are flushed at hold with their batch, where the store does that. */
const SMALL_COPY_BYTES = 4 * 1024 * 1024;

/** Staged item without its description (the session starts that). */
export type Staged = Omit<StagedItem, 'described'>;

/** Stops the session (rethrows) when it was aborted or the recorder went away. */
async function rethrowIfSessionOver(env: StageEnv, err: unknown): Promise<void> {
  if (env.signal?.aborted || (await recorderGone(env.recorder.root, err, env.recorderDevice))) throw err;
}

export async function stageFile(env: StageEnv, entry: WalkEntry, bytesBefore: number): Promise<Staged | undefined> {
  const { db, config, record } = env;
  const source: SourceFile = { rawPath: entry.rawPath, path: entry.path, size: entry.stat.size, mtimeMs: Math.trunc(entry.stat.mtimeMs) };
  const known = findKnownFile(db, { recorderId: env.recorder.recorderId, rawPath: entry.rawPath, size: source.size, mtimeMs: source.mtimeMs });
  if (known) {
    if (config.ingest.confirm_known === 'metadata') {
      record.alreadyHeld(entry, known);
      return undefined;
    }
    try {
      env.report({ phase: 'verifying' });
      const place = await env.writers.acquire(env.started, env.signal);
      let digests: Digests;
      try {
        ({ digests } = await hashFile(entry.absolute, env.algorithms, place.buffers, env.signal, config.ingest.stall_seconds * 1000));
      } finally {
        place.release();
      }
      if (digests.sha256 === known.sha256) {
        record.alreadyHeld(entry, known);
        return undefined;
      }
      record.log.warn({ path: entry.path, was: known.evidence_number }, 'same name, size and time as a held file but different bytes: holding it as a new original');
    } catch (err) {
      await rethrowIfSessionOver(env, err);
      record.problem(entry.rawPath, entry.path, 'file', entry.stat, 'failed', `cannot read to confirm: ${reasonOf(err)}`);
      if (err instanceof CardStalledError) throw err; // the card stopped answering: the session ends
      return undefined;
    }
  }

  const space = env.originals.spaceFor(entry.stat.size);
  if (!space.fits) {
    record.problem(entry.rawPath, entry.path, 'file', entry.stat, 'failed', `not enough space in the store: needs ${formatBytes(space.needed)}, ${formatBytes(space.free)} free; nothing copied, free space and dock again`);
    return undefined;
  }
  let staged: StagedObject;
  let copied: { bytes: number; digests: Digests };
  let place: WriterPlace;
  for (let attempt = 0; ; attempt++) {
    // a place among the station's writers first (recorders that have copied nothing yet go first)
    place = await env.writers.acquire(env.started, env.signal);
    staged = env.originals.stage(entry.rawPath, record.sessionId);
    try {
      env.report({ phase: 'copying' });
      let counted = 0;
      const result = await copyWithDigest(entry.absolute, staged.contentFile, {
        algorithms: env.algorithms,
        buffers: place.buffers,
        signal: env.signal,
        expect: entry.stat,
        label: entry.path,
        stallMs: config.ingest.stall_seconds * 1000,
        // a small copy is flushed with its batch at hold where the store does that (one fsync wait for many)
        flushAtEnd: !(env.originals.flushesStagedContent && entry.stat.size <= SMALL_COPY_BYTES),
        onProgress: (n) => {
          if (!env.started && n > 0) {
            env.started = true;
            env.firstBytes?.();
          }
          place.wrote(Math.max(0, n - counted));
          counted = n;
          env.report({ phase: 'copying', bytesDone: bytesBefore + n });
        },
      });
      copied = result;
      source.size = result.source.size;
      source.mtimeMs = Math.trunc(result.source.mtimeMs);
      break;
    } catch (err) {
      place.release(); // not kept through a pause before another try
      staged.discard();
      await rethrowIfSessionOver(env, err);
      const pause = cardReadRetryDelay(err, attempt);
      if (pause !== undefined) {
        record.log.warn({ path: entry.path, err: reasonOf(err), attempt: attempt + 1, retryInMs: pause }, 'card read error: copying the file again after a pause');
        await sleep(pause, undefined, { signal: env.signal }); // a stop during the pause ends the session
        continue;
      }
      record.problem(entry.rawPath, entry.path, 'file', entry.stat, 'failed', `copy failed: ${reasonOf(err)}${triesText(attempt + 1)}; nothing held, will be retried at the next docking`);
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC' || err instanceof CardStalledError) throw err; // the card stopped answering: the session ends
      return undefined;
    }
  }

  place.release();
  const duplicate = findOriginalBySha256(db, copied.digests.sha256);
  if (duplicate) {
    staged.discard();
    record.alreadyHeld(entry, duplicate);
    return undefined;
  }
  return { entry, source, staged, digests: copied.digests, bytes: copied.bytes };
}
