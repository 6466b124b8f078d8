// Verify-then-wipe (docks.wipe = true): clear a recorder only when EVERY file on it is held and
// verified. For each file on the recorder: re-hash it there, find the held original with that
// SHA-256, re-hash the held copy in the store; any file not held (or not verifying, or not a
// regular file) blocks the wipe of the whole recorder, and the reasons are returned for the slot.
// Then each file is deleted and logged with its digest (catalog row + audit entry), one by one.
// Held originals are only ever read here. Every operation on the card runs against the stall
// time (ingest.stall_seconds): a card that stops answering blocks or ends the wipe with that
// reason, never hangs the slot. Paths longer than PATH_MAX are reached below their folder's handle.
import { lstat, open, readdir, rmdir, unlink } from 'node:fs/promises';
import { appendAuditEntry } from '../audit/log.js';
import { algorithmsFor } from '../hash/digest.js';
import { CARD_STALLED, CopyBuffers, hashFile } from '../hash/copy.js';
import { atShortPath } from '../hash/open-path.js';
import { CardOps } from '../hash/stall.js';
import { insertRecorderWipe } from '../store/recorder-wipes.js';
import { findOriginalBySha256, type OriginalRow } from '../store/records.js';
import { originalsOf } from './originals-door.js';
import type { IngestContext } from './session.js';
import { walkRecorder, type WalkEntry } from './walk.js';

export interface WipeRequest {
  root: string;
  recorderId: string | null;
  slot?: string | null;
  /** The session that held the recorder's files (the wipe is logged under it). */
  sessionId: string;
}

export interface WipeOptions {
  signal?: AbortSignal;
  /** Make the mount writable (the dock's job); returns why not, when it cannot. */
  makeWritable?: () => Promise<{ ok: true } | { ok: false; reason: string }>;
  makeReadOnly?: () => Promise<void>;
  onProgress?: (p: { phase: 'verifying' | 'wiping'; index: number; count: number; path: string }) => void;
}

export interface WipeResult {
  status: 'wiped' | 'blocked' | 'partial';
  wiped: number;
  /** Why the wipe did not start (nothing was deleted), for the slot and the log. */
  blockers: string[];
  /** Files that could not be deleted after the wipe started. */
  errors: string[];
}

interface Checked {
  entry: WalkEntry;
  original: OriginalRow;
  sha256: string;
}

export async function verifyThenWipe(ctx: IngestContext, req: WipeRequest, opts: WipeOptions = {}): Promise<WipeResult> {
  const { db, config } = ctx;
  const log = ctx.logger.child({ session: req.sessionId, recorder: req.recorderId, slot: req.slot ?? undefined, step: 'wipe' });
  const algorithms = algorithmsFor({ ...config.hash, sm3: false });
  const buffers = new CopyBuffers(config.hash.buffer_mib * 1024 * 1024);
  const blockers: string[] = [];
  const files: WalkEntry[] = [];
  const dirs: WalkEntry[] = [];
  const stallMs = config.ingest.stall_seconds * 1000;
  const card = new CardOps({ signal: opts.signal, stallMs });
  try {
    for await (const entry of walkRecorder(req.root, (p) => blockers.push(`${p.path}: cannot be read (${p.error.code ?? p.error.message})`), { signal: opts.signal, stallMs })) {
      if (entry.kind === 'file') files.push(entry);
      else if (entry.kind === 'directory') dirs.push(entry);
      else blockers.push(`${entry.path}: a ${entry.kind}, not a regular file, so it cannot be held`);
    }
  } catch (err) {
    if (!(err as Error).message?.includes(CARD_STALLED)) throw err;
    blockers.push(`the recorder cannot be listed: ${(err as Error).message}`);
  }

  const checked: Checked[] = [];
  for (let i = 0; i < files.length && blockers.length < 50; i++) {
    const entry = files[i];
    opts.signal?.throwIfAborted();
    opts.onProgress?.({ phase: 'verifying', index: i + 1, count: files.length, path: entry.path });
    let sha256: string;
    try {
      sha256 = (await hashFile(entry.absolute, algorithms, buffers, opts.signal, stallMs)).digests.sha256;
    } catch (err) {
      opts.signal?.throwIfAborted();
      const stalled = (err as Error).message?.includes(CARD_STALLED);
      blockers.push(`${entry.path}: cannot be read on the recorder (${stalled ? (err as Error).message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message)})`);
      if (stalled) break; // the card stopped answering: every other file would wait as long
      continue;
    }
    const original = findOriginalBySha256(db, sha256);
    if (!original) {
      blockers.push(`${entry.path}: not held (no original with sha256 ${sha256})`);
      continue;
    }
    try {
      const held = await originalsOf(ctx).hashContent(original, algorithms, buffers, opts.signal);
      if (held.digests.sha256 !== sha256 || held.bytes !== entry.stat.size) {
        blockers.push(`${entry.path}: the held copy ${original.evidence_number} does not verify (sha256 ${held.digests.sha256})`);
        continue;
      }
    } catch (err) {
      blockers.push(`${entry.path}: the held copy ${original.evidence_number} cannot be read (${(err as Error).message})`);
      continue;
    }
    checked.push({ entry, original, sha256 });
  }

  const audit = (type: string, data: Record<string, unknown>) =>
    appendAuditEntry(db, { type, data: { session: req.sessionId, recorder: req.recorderId, slot: req.slot ?? null, ...data } as never, actor: ctx.actor });
  const block = (reasons: string[]): WipeResult => {
    db.transaction(() => audit('recorder.wipe.blocked', { files: files.length, reasons: reasons.slice(0, 20), moreReasons: Math.max(0, reasons.length - 20) }))();
    log.warn({ reasons: reasons.slice(0, 5), count: reasons.length }, 'wipe blocked: the recorder is left as it is');
    return { status: 'blocked', wiped: 0, blockers: reasons, errors: [] };
  };
  if (blockers.length) return block(blockers);
  if (!files.length) return { status: 'wiped', wiped: 0, blockers: [], errors: [] };

  if (opts.makeWritable) {
    const w = await opts.makeWritable();
    if (!w.ok) return block([w.reason]);
  }

  const errors: string[] = [];
  let wiped = 0;
  try {
    for (let i = 0; i < checked.length; i++) {
      const c = checked[i];
      opts.onProgress?.({ phase: 'wiping', index: i + 1, count: checked.length, path: c.entry.path });
      try {
        const now = await card.run(atShortPath(c.entry.absolute, (p) => lstat(p)), () => `to lstat ${c.entry.path}`);
        if (!now.isFile() || now.size !== c.entry.stat.size || now.mtimeMs !== c.entry.stat.mtimeMs) {
          errors.push(`${c.entry.path}: changed on the recorder since it was verified; not deleted`);
          continue;
        }
        await card.run(atShortPath(c.entry.absolute, (p) => unlink(p)), () => `deleting ${c.entry.path}`);
      } catch (err) {
        errors.push(`${c.entry.path}: cannot be deleted (${card.abandoned ? (err as Error).message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message)})`);
        if (card.abandoned) break; // stopped or stalled: what is wiped is logged, the rest stays
        continue;
      }
      const at = new Date().toISOString();
      db.transaction(() => {
        insertRecorderWipe(db, {
          session_id: req.sessionId,
          recorder_id: req.recorderId,
          slot: req.slot ?? null,
          source_path: c.entry.path,
          source_path_raw: c.entry.rawPath,
          size: c.entry.stat.size,
          sha256: c.sha256,
          evidence_number: c.original.evidence_number,
          wiped_at: at,
        });
        audit('recorder.file.wiped', { path: c.entry.path, pathBase64: c.entry.rawPath.toString('base64'), size: c.entry.stat.size, sha256: c.sha256, evidenceNumber: c.original.evidence_number });
      })();
      wiped++;
      log.info({ path: c.entry.path, sha256: c.sha256, evidence: c.original.evidence_number }, 'file wiped from the recorder (held)');
    }
    // empty folders, deepest first; the card's root stays
    for (const d of card.abandoned ? [] : dirs.sort((a, b) => b.absolute.length - a.absolute.length)) {
      try {
        const empty = (await card.run(atShortPath(d.absolute, (p) => readdir(p)), () => `listing ${d.path}`)).length === 0;
        if (empty) await card.run(atShortPath(d.absolute, (p) => rmdir(p)), () => `removing the empty folder ${d.path}`);
      } catch {
        if (card.abandoned) break;
        /* not empty or not removable: harmless */
      }
    }
    if (!card.abandoned) {
      try {
        const fh = await card.run(open(req.root, 'r'), () => 'opening the card root');
        await card.run(fh.sync(), () => 'flushing the card').catch(() => undefined);
        if (!card.abandoned) await fh.close();
      } catch {
        /* best effort: the unmount flushes too */
      }
    }
  } finally {
    await opts.makeReadOnly?.();
  }
  const status = errors.length ? 'partial' : 'wiped';
  db.transaction(() => audit('recorder.wiped', { status, wiped, files: files.length, errors: errors.slice(0, 20) }))();
  log.info({ wiped, errors: errors.length }, status === 'wiped' ? 'recorder wiped: every file was held and verified first' : 'recorder partly wiped');
  return { status, wiped, blockers: [], errors };
}
