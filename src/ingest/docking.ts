// One docking, for the daemon and `evidock ingest` alike: the session for the docked recorder,
// the slot messages for the officer (identifying / copying / verifying / done / error with what
// to do), and verify-then-wipe when the station is configured for it and the dock can do it.
import type { MakeWritableResult, RecorderDocked } from '../dock/events.js';
import { CARD_STALLED } from '../hash/stall.js';
import type { IngestProgress, IngestSummary, RecorderSource } from './session.js';
import { ingestRecorder } from './session.js';
import type { Station } from './station.js';

/** How a copy cut short by a full disk says so (the errno text of ENOSPC). */
const NO_SPACE = 'ENOSPC (no space left on device)';
import { verifyThenWipe, type WipeResult } from './wipe.js';

/** What a dock slot shows; the daemon keeps it in its status file. */
export interface SlotUpdate {
  state: 'identifying' | 'copying' | 'verifying' | 'done' | 'error';
  recorderId?: string | null;
  mountPath?: string;
  message?: string;
  held?: number;
  failed?: number;
  fileIndex?: number;
  fileCount?: number;
  filePath?: string;
  bytesDone?: number;
  bytesTotal?: number;
  bytesPerSecond?: number;
  etaSeconds?: number | null;
}

/** A dock that can make a recorder's mount writable (the USB mount dock). */
export interface WritableMounts {
  makeWritable(mountPath: string): Promise<MakeWritableResult>;
  makeReadOnly(mountPath: string): Promise<void>;
}

export interface DockingOptions {
  signal?: AbortSignal;
  onSlot?: (update: SlotUpdate) => void;
  /** The docking dock's mounts, when it can make them writable: needed by verify-then-wipe. */
  mounts?: Partial<WritableMounts>;
  /** Waits for a free ingest place (the daemon's concurrency limit) and returns its release. */
  takePlace?: () => Promise<() => void>;
}

export interface DockingResult {
  summary: IngestSummary;
  /** The slot's last state and message. */
  state: 'done' | 'error';
  message?: string;
  wipe?: WipeResult;
}

/** The session's input for a docked recorder: the dock's hints and the recorder's typed identity. */
export function recorderSourceOf(docked: RecorderDocked): RecorderSource {
  return {
    root: docked.mountPath,
    recorderId: docked.recorderHint ?? docked.usb?.serial ?? null,
    officerId: docked.officerHint ?? null,
    slot: docked.slot,
    dockedAt: docked.dockedAt,
    identity: docked.identity,
  };
}

function slotOfProgress(p: IngestProgress, startedAt: number): SlotUpdate {
  const elapsed = (Date.now() - startedAt) / 1000;
  const rate = elapsed > 0 ? p.bytesDone / elapsed : 0;
  return {
    state: p.phase === 'verifying' ? 'verifying' : p.phase === 'done' ? 'done' : p.phase === 'scanning' ? 'identifying' : 'copying',
    fileIndex: p.fileIndex,
    fileCount: p.fileCount,
    filePath: p.filePath,
    bytesDone: p.bytesDone,
    bytesTotal: p.bytesTotal,
    bytesPerSecond: Math.round(rate),
    etaSeconds: rate > 0 ? Math.round((p.bytesTotal - p.bytesDone) / rate) : null,
  };
}

function wipeMessage(wipe: WipeResult): { state: 'done' | 'error'; message: string } {
  if (wipe.status === 'blocked')
    return { state: 'error', message: `not wiped: ${wipe.blockers[0]}${wipe.blockers.length > 1 ? ` (and ${wipe.blockers.length - 1} more)` : ''}` };
  if (wipe.status === 'partial') return { state: 'error', message: `wiped ${wipe.wiped} file(s), ${wipe.errors.length} not: ${wipe.errors[0]}` };
  return { state: 'done', message: `wiped ${wipe.wiped} file(s) from the recorder, each held and verified first` };
}

/**
 * Runs one docking to its end. Resolves to null when the docking was called off (signal) before
 * its turn came; an error of the session is shown on the slot and rethrown.
 */
export async function runDocking(station: Station, docked: RecorderDocked, opts: DockingOptions = {}): Promise<DockingResult | null> {
  const { ctx } = station;
  const onSlot = opts.onSlot ?? (() => undefined);
  const recorder = recorderSourceOf(docked);
  onSlot({ state: 'identifying', recorderId: docked.recorderHint ?? null, mountPath: docked.mountPath, message: undefined, held: 0, failed: 0 });
  const release = opts.takePlace ? await opts.takePlace() : () => undefined;
  try {
    if (opts.signal?.aborted) return null;
    const startedAt = Date.now();
    // Once the card is gone (unplugged, the daemon stopping) or the session cut short, the commits
    // still finishing report progress: the slot shows none of it (no "copying" or "done" after
    // the card went), only how the session ended.
    let cutShort = false;
    const onProgress = (p: IngestProgress): void => {
      if (p.phase === 'interrupted') cutShort = true;
      if (!cutShort && !opts.signal?.aborted) onSlot(slotOfProgress(p, startedAt));
    };
    const summary = await ingestRecorder(ctx, recorder, { signal: opts.signal, onProgress });
    // A card that stopped answering, or a full disk under the copy, ends the session: the slot says which.
    const stalled = summary.problems.find((p) => p.reason.includes(CARD_STALLED) || p.reason.includes(NO_SPACE));
    let message = stalled
      ? `failed: ${stalled.path === '.' ? '' : `${stalled.path}: `}${stalled.reason}`
      : summary.status !== 'done'
        ? 'interrupted: dock the recorder again to finish'
        : summary.failed
          ? `${summary.failed} file(s) failed; see evidock status`
          : undefined;
    let state: DockingResult['state'] = summary.status === 'done' && !summary.failed ? 'done' : 'error';
    let wipe: WipeResult | undefined;
    const mounts = opts.mounts;
    if (state === 'done' && ctx.config.docks.wipe && mounts?.makeWritable && docked.usb && !opts.signal?.aborted) {
      onSlot({ state: 'verifying', message: 'verify-then-wipe: checking every file is held' });
      wipe = await verifyThenWipe(
        ctx,
        { root: docked.mountPath, recorderId: recorder.recorderId, slot: docked.slot, sessionId: summary.sessionId },
        { signal: opts.signal, makeWritable: () => mounts.makeWritable!(docked.mountPath), makeReadOnly: async () => mounts.makeReadOnly?.(docked.mountPath) },
      );
      ({ state, message } = wipeMessage(wipe));
    }
    // A finished slot shows no rate or ETA: a stalled card must not look like a copy at full speed.
    onSlot({ state, held: summary.held, failed: summary.failed, message, bytesPerSecond: undefined, etaSeconds: undefined });
    return { summary, state, message, wipe };
  } catch (err) {
    onSlot({ state: 'error', message: `ingest failed: ${(err as Error).message}; dock the recorder again, and if it fails again see the evidock log` });
    throw err;
  } finally {
    release();
  }
}
