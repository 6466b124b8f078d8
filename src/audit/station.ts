// The station's audit operations over the catalog: signed checkpoints (kept as write-once files
// under <home>/checkpoints/), log exports with range and consistency proofs, and inclusion-proof
// bundles for one recording. Pure verification lives in export.ts / merkle.ts; this file wires
// them to the catalog and the home.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeNewFileDurably } from '../lib/durable.js';
import { keepOwnerOfFolder } from '../lib/owner.js';
import type Database from 'better-sqlite3';
import { CheckpointError, openCheckpoint, signCheckpoint } from './checkpoint.js';
import { writeExport, type ExportSummary } from './export.js';
import { exportEntries } from './export-rows.js';
import { signingKey } from './key-life.js';
import { rotationEntries } from './key-history.js';
import { appendAuditEntry, currentActor, type Actor } from './log.js';
import { NotaryRefusedError, notarySocket, notaryStatus, notaryStatusAsync, signByNotary, signByNotaryAsync } from './notary-client.js';
import { ProofError, verifyInclusion, leafHash, HASH_SIZE } from './merkle.js';
import { NoteError, formatVerifierKey, parseVerifierKey, verifierOf } from './note.js';
import { rangeProof } from './range.js';
import { auditTree, catchUpTree } from './tree-store.js';

type Db = Database.Database;

export interface StationRef {
  homeDir: string;
  stationId: string;
  /** Who asked (recorded on a notary refusal): the daemon passes its own; default the process's user via the CLI. */
  actor?: Actor;
}

export interface CheckpointRow {
  id: number;
  size: number;
  root: Buffer;
  note: string;
  reason: string;
  created_at: string;
  file: string | null;
}

export function checkpointsDir(homeDir: string): string {
  return path.join(homeDir, 'checkpoints');
}

/**
 * Sign a checkpoint of the log as it is now, record it in the catalog and write it as a
 * write-once file. Runs under the catalog's write lock so the size is the committed size. With a
 * notary configured the notary signs it; its refusal is recorded (notary.refused) and thrown.
 * Synchronous, for callers that cannot wait (the case proofs): with a notary it holds the write
 * lock while it asks; everything that can wait uses writeCheckpointAsync.
 */
export function writeCheckpoint(db: Db, st: StationRef, reason: string, now = new Date()): CheckpointRow {
  const notary = notarySocket(st.homeDir);
  const run = db.transaction((): CheckpointRow | NotaryRefusedError => {
    // The key is chosen under the write lock: a rotation committed meanwhile is followed.
    const signer = notary === undefined ? signingKey(db, st.homeDir, st.stationId) : undefined;
    const tree = catchUpTree(db);
    const size = tree.size;
    const root = tree.root();
    let note: string;
    if (signer) note = signCheckpoint({ origin: st.stationId, size, root }, signer);
    else {
      try {
        note = signByNotary(notary!, { origin: st.stationId, size, root }, tree);
      } catch (err) {
        if (!(err instanceof NotaryRefusedError)) throw err;
        appendAuditEntry(db, { type: 'notary.refused', data: { size, root: root.toString('base64'), reason: err.reason, checkpointReason: reason }, actor: st.actor ?? currentActor('cli') });
        return err;
      }
    }
    return storeCheckpoint(db, st, { size, root, note, reason, now });
  });
  const done = db.inTransaction ? run() : run.immediate();
  if (done instanceof NotaryRefusedError) throw done;
  return done;
}

/** The signed checkpoint written as a write-once file and recorded in the catalog (inside the caller's transaction). */
function storeCheckpoint(db: Db, st: StationRef, c: { size: number; root: Buffer; note: string; reason: string; now: Date }): CheckpointRow {
  const { size, root, note, reason, now } = c;
  const dir = checkpointsDir(st.homeDir);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    keepOwnerOfFolder(dir, st.homeDir);
  }
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `${String(size).padStart(12, '0')}-${stamp}-${reason}.checkpoint`;
  for (let i = 1; existsSync(path.join(dir, name)); i++) name = `${String(size).padStart(12, '0')}-${stamp}-${reason}-${i}.checkpoint`;
  writeNewFileDurably(path.join(dir, name), note);
  keepOwnerOfFolder(path.join(dir, name), st.homeDir);
  const created_at = now.toISOString();
  const info = db
    .prepare('INSERT INTO audit_checkpoints (size, root, note, reason, created_at, file) VALUES (?, ?, ?, ?, ?, ?)')
    .run(size, root, note, reason, created_at, path.join('checkpoints', name));
  return { id: Number(info.lastInsertRowid), size, root, note, reason, created_at, file: path.join('checkpoints', name) };
}

/**
 * writeCheckpoint without holding the catalog while the notary is asked: (size, root) computed
 * in one short write transaction, signed over the socket with no transaction open (ingest
 * commits meanwhile), stored in a second short transaction after checking the stored tree
 * still has that root at that size. Without a notary the local key signs as writeCheckpoint does.
 */
export async function writeCheckpointAsync(db: Db, st: StationRef, reason: string, now = new Date(), rotation?: { seq: number; entry: string; publicKey: string }): Promise<CheckpointRow> {
  const notary = notarySocket(st.homeDir);
  if (notary === undefined || db.inTransaction) return writeCheckpoint(db, st, reason, now);
  const head = db.transaction(() => {
    const tree = catchUpTree(db);
    return { size: tree.size, root: tree.root() };
  }).immediate();
  let note: string;
  try {
    const covering = rotation ? { ...rotation, proof: auditTree(db, head.size).inclusionProof(rotation.seq, head.size) } : undefined;
    note = (await signByNotaryAsync(notary, { origin: st.stationId, ...head }, (fromSize) => auditTree(db, head.size).consistencyProof(fromSize, head.size), covering)).note;
  } catch (err) {
    if (err instanceof NotaryRefusedError) {
      db.transaction(() =>
        appendAuditEntry(db, { type: 'notary.refused', data: { size: head.size, root: head.root.toString('base64'), reason: err.reason, checkpointReason: reason }, actor: st.actor ?? currentActor('cli') }),
      )();
    }
    throw err;
  }
  return db.transaction(() => {
    const tree = auditTree(db);
    if (tree.size < head.size || !tree.root(head.size).equals(head.root)) {
      throw new CheckpointError(`the stored log changed under the checkpoint while the notary signed it (size ${head.size}): not stored; run \`evidock catalog check\``);
    }
    return storeCheckpoint(db, st, { ...head, note, reason, now });
  }).immediate();
}

/** checkpointIfChanged, signing with writeCheckpointAsync (the daemon's periodic checkpoint). */
export async function checkpointIfChangedAsync(db: Db, st: StationRef, reason: string): Promise<CheckpointRow | undefined> {
  const last = latestCheckpoint(db);
  const size = (db.prepare('SELECT COUNT(*) AS n FROM audit_entries').get() as { n: number }).n;
  if (last && last.size === size) return undefined;
  return writeCheckpointAsync(db, st, reason);
}

/** signingVerifierKeyText, asking the notary over the socket without blocking. */
export async function signingVerifierKeyTextAsync(db: Db, st: StationRef): Promise<string> {
  const notary = notarySocket(st.homeDir);
  if (notary !== undefined) return (await notaryStatusAsync(notary)).publicKey;
  return signingVerifierKeyText(db, st);
}

/**
 * The verifier key text of the key that signs this home's checkpoints: the notary's when one is
 * configured (asked), else the public half of keys/station.key (made on a home with no history).
 */
export function signingVerifierKeyText(db: Db, st: StationRef): string {
  const notary = notarySocket(st.homeDir);
  if (notary !== undefined) return notaryStatus(notary).publicKey;
  return formatVerifierKey(verifierOf(signingKey(db, st.homeDir, st.stationId)));
}

export function latestCheckpoint(db: Db): CheckpointRow | undefined {
  return db.prepare('SELECT * FROM audit_checkpoints ORDER BY id DESC LIMIT 1').get() as CheckpointRow | undefined;
}

/** The newest signed checkpoint the stored tree reaches (what a read-only export or proof is made against). */
export function newestCheckpointWithin(db: Db, minSize = 0): CheckpointRow | undefined {
  const size = auditTree(db).size;
  return db.prepare('SELECT * FROM audit_checkpoints WHERE size <= ? AND size > ? ORDER BY size DESC, id DESC LIMIT 1').get(size, minSize) as CheckpointRow | undefined;
}

/** Checkpoint unless the last one already covers the current size (hourly ticks on a quiet log). */
export function checkpointIfChanged(db: Db, st: StationRef, reason: string): CheckpointRow | undefined {
  const last = latestCheckpoint(db);
  const size = (db.prepare('SELECT COUNT(*) AS n FROM audit_entries').get() as { n: number }).n;
  if (last && last.size === size) return undefined;
  return writeCheckpoint(db, st, reason);
}

export interface ExportOptions {
  out: string;
  /** ISO instants: first included, first excluded (by entry time). */
  from?: string;
  to?: string;
  actor: Actor;
  /** Runs a task of this room on a worker thread with its own read-only catalog handle (the
   * store's catalogTaskRunner, given by the caller): the CSV is then written there. */
  inWorker?: (task: URL, args: unknown) => Promise<unknown>;
  /** Told how many of the exported entries are written so far (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /**
   * An auditor on a home they cannot write: export up to the newest checkpoint already signed
   * (nothing is signed, stored or logged), with the station's public key text to ship.
   */
  readOnly?: { publicKey: string };
}

export interface ExportResult extends ExportSummary {
  checkpointFile: string | null;
  previous: { size: number; dir: string } | null;
}

const CSV_TASK = new URL('./export-csv-task.js', import.meta.url);

/**
 * entries.csv written on a worker thread (with its own read-only catalog handle, from `inWorker`)
 * while this thread writes the JSONL and the leaf hashes, so the two files are written on two
 * cores at once. Rows [start, end) are append-only facts, so both threads read the same ones.
 */
function csvOnWorker(inWorker: ExportOptions['inWorker'], start: number, end: number): ((file: string) => Promise<string>) | undefined {
  if (!inWorker || !existsSync(fileURLToPath(CSV_TASK))) return undefined;
  return async (file) => (await inWorker(CSV_TASK, { start, end, file })) as string;
}

/** Write a log export directory and record it (entry log.exported + audit_exports row). */
/** Passes items through, telling onProgress every 1000 items and at the end. */
function* counted<T>(items: Iterable<T>, total: number, onProgress?: (done: number, total: number) => void): Generator<T> {
  let done = 0;
  for (const item of items) {
    yield item;
    if (++done % 1000 === 0) onProgress?.(done, total);
  }
  onProgress?.(done, total);
}

export async function exportLog(db: Db, st: StationRef, opts: ExportOptions): Promise<ExportResult> {
  if (existsSync(opts.out) && readdirSync(opts.out).length > 0) throw new Error(`export directory ${opts.out} is not empty; choose a new one`);
  const signedAlready = opts.readOnly ? newestCheckpointWithin(db) : undefined;
  if (opts.readOnly && !signedAlready) throw new Error('no signed checkpoint to export up to yet; run the export as the service user, or wait for the daemon\'s next checkpoint');
  const verifierKey = opts.readOnly ? opts.readOnly.publicKey : await signingVerifierKeyTextAsync(db, st);
  const cp = signedAlready ?? (await writeCheckpointAsync(db, st, 'export'));
  const tree = opts.readOnly ? auditTree(db) : catchUpTree(db);
  const size = cp.size;
  // The time range maps to a contiguous run of sequence numbers.
  const first = opts.from
    ? (db.prepare('SELECT MIN(seq) AS s FROM audit_entries WHERE at >= ? AND seq < ?').get(opts.from, size) as { s: number | null }).s
    : 0;
  const lastIncl = opts.to
    ? (db.prepare('SELECT MAX(seq) AS s FROM audit_entries WHERE at < ? AND seq < ?').get(opts.to, size) as { s: number | null }).s
    : size - 1;
  let start = first ?? size;
  let end = lastIncl === null ? start : lastIncl + 1;
  if (end < start) end = start;
  if (size === 0) start = end = 0;
  const prevRow = db
    .prepare(
      `SELECT e.dir, c.size, c.root, c.note FROM audit_exports e JOIN audit_checkpoints c ON c.id = e.checkpoint_id ORDER BY e.id DESC LIMIT 1`,
    )
    .get() as { dir: string; size: number; root: Buffer; note: string } | undefined;
  let previous: Parameters<typeof writeExport>[0]['previous'];
  if (prevRow && prevRow.size > 0 && prevRow.size <= size) {
    previous = { note: prevRow.note, size: prevRow.size, root: prevRow.root, proof: prevRow.size === size ? [] : tree.consistencyProof(prevRow.size, size) };
  }
  // Leaf hashes written to the export come from the stored tree (level 0), not from the entry
  // rows: an entry edited behind the triggers then shows up as a mismatch in `log verify`.
  const entries = counted(exportEntries(db, start, end, { columns: false }), end - start, opts.onProgress);
  const proof = rangeProof(tree, start, end, size);
  const summary = await writeExport({
    dir: opts.out,
    origin: st.stationId,
    start,
    entries,
    checkpoint: { note: cp.note, size, root: cp.root },
    rangeProof: proof,
    previous,
    verifierKey,
    keyHistory: rotationEntries(db, size).map((r) => ({ ...r, proof: tree.inclusionProof(r.seq, size) })),
    createdAt: new Date().toISOString(),
    writeCsv: csvOnWorker(opts.inWorker, start, end),
  });
  if (opts.readOnly) return { ...summary, checkpointFile: cp.file, previous: prevRow && previous ? { size: prevRow.size, dir: prevRow.dir } : null };
  db.transaction(() => {
    db.prepare('INSERT INTO audit_exports (checkpoint_id, start_seq, end_seq, dir, created_at) VALUES (?, ?, ?, ?, ?)').run(
      cp.id,
      start,
      summary.end,
      path.resolve(opts.out),
      new Date().toISOString(),
    );
    appendAuditEntry(db, {
      type: 'log.exported',
      data: {
        out: path.resolve(opts.out), from: opts.from, to: opts.to, start, end: summary.end, size, root: cp.root.toString('base64'), previousSize: previous?.size,
        whole: summary.whole, manifestSha256: summary.manifestSha256,
      },
      actor: opts.actor,
    });
  })();
  return { ...summary, checkpointFile: cp.file, previous: prevRow && previous ? { size: prevRow.size, dir: prevRow.dir } : null };
}

// ---------------------------------------------------------------------------------------------
// Inclusion-proof bundles: what a court is handed for one recording.

export const PROOF_FORMAT = 'evidock-inclusion-proof/1';

export interface InclusionBundle {
  format: typeof PROOF_FORMAT;
  origin: string;
  evidenceNumber?: string;
  seq: number;
  entry: string;
  leafHash: string;
  treeSize: number;
  proof: string[];
  checkpoint: string;
  stationKey: string;
}

/** Find the file.held entry of an evidence number and prove it against a fresh checkpoint. */
export function inclusionBundle(db: Db, st: StationRef, evidenceNumber: string, readOnly?: { publicKey: string }): InclusionBundle {
  const row = db
    .prepare(`SELECT seq, entry FROM audit_entries WHERE type = 'file.held' AND json_extract(entry, '$.data.evidenceNumber') = ? ORDER BY seq LIMIT 1`)
    .get(evidenceNumber) as { seq: number; entry: string } | undefined;
  if (!row) throw new Error(`no file.held entry for evidence number ${evidenceNumber}`);
  return inclusionBundleForSeq(db, st, row.seq, evidenceNumber, readOnly);
}

/** The bundle against a fresh checkpoint; read-only (an auditor), against the newest signed one that covers the entry. */
export function inclusionBundleForSeq(db: Db, st: StationRef, seq: number, evidenceNumber?: string, readOnly?: { publicKey: string }): InclusionBundle {
  const signedAlready = readOnly ? newestCheckpointWithin(db, seq) : undefined;
  if (readOnly && !signedAlready) throw new Error(`no signed checkpoint covers entry ${seq} yet; run the proof as the service user, or wait for the daemon's next checkpoint`);
  const stationKey = readOnly ? readOnly.publicKey : signingVerifierKeyText(db, st);
  const cp = signedAlready ?? writeCheckpoint(db, st, 'proof');
  const tree = readOnly ? auditTree(db) : catchUpTree(db);
  const row = db.prepare('SELECT entry FROM audit_entries WHERE seq = ?').get(seq) as { entry: string };
  return {
    format: PROOF_FORMAT,
    origin: st.stationId,
    evidenceNumber,
    seq,
    entry: row.entry,
    leafHash: tree.leafHashAt(seq).toString('base64'),
    treeSize: cp.size,
    proof: tree.inclusionProof(seq, cp.size).map((h) => h.toString('base64')),
    checkpoint: cp.note,
    stationKey,
  };
}

export interface BundleVerification {
  ok: boolean;
  problems: string[];
  checks: string[];
  seq?: number;
  evidenceNumber?: string;
}

/** Check an inclusion bundle offline, against a trusted key (or the key it carries). */
export function verifyInclusionBundle(bundle: unknown, keyText?: string): BundleVerification {
  const r: BundleVerification = { ok: false, problems: [], checks: [] };
  const b = bundle as Partial<InclusionBundle>;
  try {
    if (b.format !== PROOF_FORMAT) throw new Error(`not an ${PROOF_FORMAT} bundle`);
    if (typeof b.entry !== 'string' || typeof b.seq !== 'number' || typeof b.treeSize !== 'number' || !Array.isArray(b.proof) || typeof b.checkpoint !== 'string') {
      throw new Error('bundle is missing entry, seq, treeSize, proof or checkpoint');
    }
    r.seq = b.seq;
    const key = parseVerifierKey((keyText ?? b.stationKey ?? '').trim());
    if (!keyText) r.checks.push('note: trusting the station key carried in the bundle; pass --key to check against a key you hold');
    const cp = openCheckpoint(b.checkpoint, key);
    r.checks.push(`checkpoint signed by ${key.name} (${key.keyHash.toString('hex')}), size ${cp.size}`);
    if (cp.size !== b.treeSize) throw new ProofError(`bundle says tree size ${b.treeSize}, the checkpoint ${cp.size}`);
    const lh = leafHash(Buffer.from(b.entry, 'utf8'));
    if (b.leafHash !== undefined && b.leafHash !== lh.toString('base64')) throw new ProofError('the entry does not match the leaf hash in the bundle: the entry text was changed');
    const parsed = JSON.parse(b.entry) as { seq?: number; data?: { evidenceNumber?: string } };
    if (parsed.seq !== b.seq) throw new ProofError(`entry says seq ${parsed.seq}, bundle says ${b.seq}`);
    r.evidenceNumber = parsed.data?.evidenceNumber;
    if (b.evidenceNumber !== undefined && parsed.data?.evidenceNumber !== b.evidenceNumber) throw new ProofError('the entry is for another evidence number');
    const proof = b.proof.map((p) => Buffer.from(String(p), 'base64'));
    if (proof.some((p) => p.length !== HASH_SIZE)) throw new ProofError('a proof node is not 32 bytes');
    verifyInclusion(b.seq, cp.size, lh, proof, cp.root);
    r.checks.push(`entry ${b.seq}${r.evidenceNumber ? ` (${r.evidenceNumber})` : ''} is in the signed log of size ${cp.size}`);
  } catch (e) {
    if (e instanceof ProofError || e instanceof CheckpointError || e instanceof NoteError || e instanceof SyntaxError || e instanceof Error) r.problems.push(e.message);
    else throw e;
  }
  r.ok = r.problems.length === 0;
  return r;
}
