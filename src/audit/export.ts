// Audit-log exports: a directory an auditor can check offline, with no database and no trust in
// the server beyond the station's public key.
//
//   entries.jsonl        line i = the canonical JSON of entry start+i, exactly the bytes hashed
//   leaf-hashes.txt      line i = base64 leaf hash of entry start+i (to name a broken line)
//   entries.csv          the same entries for people (formula-escaped)
//   checkpoint           signed C2SP checkpoint of the whole log (size n >= end)
//   range-proof.json     hashes that tie entries [start, end) to the checkpoint's root
//   consistency.json     proof that the previous export's checkpoint is a prefix of this one
//   previous-checkpoint  the previous export's signed checkpoint (when there was one)
//   station.pub          the station's verifier key (signed-note text)
//   manifest.json        format, origin, range, size, root, created, whether the export is the whole
//                        log up to its checkpoint, SHA-256 of every file above; mandatory. Its own
//                        SHA-256 is logged (log.exported), so the next export proves it unchanged.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectoryIfSupported } from '../lib/durable.js';
import { canonicalJson } from './canonical.js';
import { CheckpointError, openCheckpoint, type Checkpoint } from './checkpoint.js';
import { ProofError, leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import { NoteError, formatVerifierKey, parseVerifierKey, type Verifier } from './note.js';
import { rootFromRange } from './range.js';
import { claimedSize, followRotations, keyForSize, ROTATION_TYPE, type RotationEntry } from './key-history.js';

export const EXPORT_FORMAT = 'evidock-log-export/1';

export const EXPORT_FILES = {
  entries: 'entries.jsonl',
  leaves: 'leaf-hashes.txt',
  csv: 'entries.csv',
  checkpoint: 'checkpoint',
  rangeProof: 'range-proof.json',
  consistency: 'consistency.json',
  previousCheckpoint: 'previous-checkpoint',
  key: 'station.pub',
  keyHistory: 'key-history.json',
  manifest: 'manifest.json',
} as const;

export interface ExportEntry {
  seq: number;
  entry: string;
  /** The stored leaf hash (or its base64 text). */
  leafHash: Buffer | string;
  /** CSV columns, when the caller has them already (else they are parsed from the entry). */
  at?: string;
  type?: string;
  actor?: { via?: string | null; user?: string | null; sudoUser?: string | null };
}

export interface ExportInput {
  dir: string;
  origin: string;
  /** Index of the first entry written. */
  start: number;
  /** Entries in order, seq = start, start+1, ... */
  entries: Iterable<ExportEntry>;
  checkpoint: { note: string; size: number; root: Buffer };
  rangeProof: Buffer[];
  previous?: { note: string; size: number; root: Buffer; proof: Buffer[] };
  verifierKey: string;
  /** The key rotations below the checkpoint, each with its inclusion proof in it (none: no file). */
  keyHistory?: { seq: number; entry: string; proof: Buffer[] }[];
  createdAt: string;
  /** Writes entries.csv elsewhere (a worker thread) and resolves to its SHA-256; else it is written here, from `entries`. */
  writeCsv?: (file: string) => Promise<string>;
}

export interface ExportSummary {
  dir: string;
  start: number;
  end: number;
  size: number;
  root: string;
  /** The whole log up to its checkpoint, or a range of it (as manifest.json says). */
  whole: boolean;
  /** SHA-256 of manifest.json (logged in the log.exported entry). */
  manifestSha256: string;
  files: Record<string, string>;
}

/** Buffered writer: strings encoded straight into one reused buffer, a hash of what was written, fsync at the end. */
export class FileWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(4 << 20);
  private used = 0;
  private readonly hash = createHash('sha256');
  constructor(readonly file: string) {
    this.fd = openSync(file, 'wx', 0o644);
  }
  write(s: string): void {
    if (s.length * 3 > this.buf.length - this.used) {
      this.flush();
      if (s.length * 3 > this.buf.length) {
        this.out(Buffer.from(s, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(s, this.used, 'utf8');
  }
  private out(b: Buffer): void {
    this.hash.update(b);
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off);
  }
  private flush(): void {
    if (this.used === 0) return;
    this.out(this.buf.subarray(0, this.used));
    this.used = 0;
  }
  close(): string {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    chmodSync(this.file, 0o444);
    return this.hash.digest('hex');
  }
}

function writeWhole(file: string, text: string): string {
  const w = new FileWriter(file);
  w.write(text);
  return w.close();
}

// CSV as csv-stringify writes it with escape_formulas (the project's CSV writer, DESIGN.md §6),
// inlined for speed: a million rows through csv-stringify take ~40 s; this takes ~1 s. The test
// suite checks both give the same bytes.
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const NEEDS_QUOTES = /[",\n\r]/;

export function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  let s = v;
  if (s.length > 0 && FORMULA_START.has(s[0])) s = "'" + s;
  if (s.includes('"')) return '"' + s.replaceAll('"', '""') + '"';
  if (NEEDS_QUOTES.test(s)) return '"' + s + '"';
  return s;
}

export function csvRow(fields: (string | number)[]): string {
  return fields.map(csvField).join(',') + '\n';
}

function actorText(a: { via?: string | null; user?: string | null; sudoUser?: string | null } | undefined): string {
  if (!a) return '';
  return `${a.via ?? ''}:${a.user ?? ''}${a.sudoUser ? ` (sudo ${a.sudoUser})` : ''}`;
}

export type CsvRowFields = [number, string, string, string, string, string];

/** One CSV row (same bytes as csvRow), written as one string: no row array, one encode. */
export function writeCsvRow(w: FileWriter, r: CsvRowFields): void {
  w.write(`${r[0]},${csvField(r[1])},${csvField(r[2])},${csvField(r[3])},${csvField(r[4])},${csvField(r[5])}\n`);
}

export const CSV_HEADER = csvRow(['seq', 'at', 'type', 'actor', 'leaf_hash', 'entry']);

function openCsvSink(file: string): { row(r: CsvRowFields): void; close(): string } {
  const w = new FileWriter(file);
  w.write(CSV_HEADER);
  return { row: (r) => writeCsvRow(w, r), close: () => w.close() };
}

/** The CSV columns of an entry: at, type and actor from the entry itself when the caller has not given them. */
function csvColumns(e: ExportEntry, leaf: string): CsvRowFields {
  let cols: { at?: string; type?: string; actor?: ExportEntry['actor'] } = e;
  if (e.at === undefined) {
    try {
      cols = JSON.parse(e.entry);
    } catch {
      cols = {}; /* written as is; verify will name it */
    }
  }
  return [e.seq, cols.at ?? '', cols.type ?? '', actorText(cols.actor), leaf, e.entry];
}

const leafText = (e: ExportEntry) => (typeof e.leafHash === 'string' ? e.leafHash : e.leafHash.toString('base64'));

/** entries.csv alone (the export's CSV worker); returns its SHA-256. */
export function writeCsvFile(file: string, entries: Iterable<ExportEntry>): string {
  const csv = openCsvSink(file);
  for (const e of entries) csv.row(csvColumns(e, leafText(e)));
  return csv.close();
}

/** Write an export directory (which must not exist or be empty). */
export async function writeExport(input: ExportInput): Promise<ExportSummary> {
  const { dir } = input;
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`export directory ${dir} is not empty; choose a new one`);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const jsonl = new FileWriter(path.join(dir, EXPORT_FILES.entries));
  const leaves = new FileWriter(path.join(dir, EXPORT_FILES.leaves));
  const csvFile = path.join(dir, EXPORT_FILES.csv);
  const csvElsewhere = input.writeCsv?.(csvFile);
  const csv = csvElsewhere ? undefined : openCsvSink(csvFile);
  let next = input.start;
  try {
    for (const e of input.entries) {
      if (e.seq !== next) throw new Error(`export: expected entry ${next}, got ${e.seq}`);
      if (e.entry.includes('\n')) throw new Error(`export: entry ${e.seq} contains a newline`);
      jsonl.write(e.entry + '\n');
      const leaf = leafText(e);
      leaves.write(leaf + '\n');
      csv?.row(csvColumns(e, leaf));
      next++;
    }
  } catch (err) {
    await csvElsewhere?.catch(() => undefined); // let the other writer finish before reporting
    throw err;
  }
  files[EXPORT_FILES.entries] = jsonl.close();
  files[EXPORT_FILES.leaves] = leaves.close();
  files[EXPORT_FILES.csv] = csvElsewhere ? await csvElsewhere : csv!.close();
  const end = next;
  if (end > input.checkpoint.size) throw new Error(`export: entries end at ${end}, beyond the checkpoint size ${input.checkpoint.size}`);
  files[EXPORT_FILES.checkpoint] = writeWhole(path.join(dir, EXPORT_FILES.checkpoint), input.checkpoint.note);
  files[EXPORT_FILES.rangeProof] = writeWhole(
    path.join(dir, EXPORT_FILES.rangeProof),
    JSON.stringify({ start: input.start, end, size: input.checkpoint.size, proof: input.rangeProof.map((h) => h.toString('base64')) }, null, 1) + '\n',
  );
  if (input.previous) {
    files[EXPORT_FILES.previousCheckpoint] = writeWhole(path.join(dir, EXPORT_FILES.previousCheckpoint), input.previous.note);
    files[EXPORT_FILES.consistency] = writeWhole(
      path.join(dir, EXPORT_FILES.consistency),
      JSON.stringify(
        {
          size1: input.previous.size,
          root1: input.previous.root.toString('base64'),
          size2: input.checkpoint.size,
          root2: input.checkpoint.root.toString('base64'),
          proof: input.previous.proof.map((h) => h.toString('base64')),
        },
        null,
        1,
      ) + '\n',
    );
  }
  files[EXPORT_FILES.key] = writeWhole(path.join(dir, EXPORT_FILES.key), input.verifierKey.trim() + '\n');
  if (input.keyHistory?.length) {
    const history = { rotations: input.keyHistory.map((r) => ({ seq: r.seq, entry: r.entry, proof: r.proof.map((h) => h.toString('base64')) })) };
    files[EXPORT_FILES.keyHistory] = writeWhole(path.join(dir, EXPORT_FILES.keyHistory), JSON.stringify(history, null, 1) + '\n');
  }
  const manifest = {
    format: EXPORT_FORMAT,
    origin: input.origin,
    start: input.start,
    end,
    size: input.checkpoint.size,
    root: input.checkpoint.root.toString('base64'),
    previous: input.previous ? { size: input.previous.size, root: input.previous.root.toString('base64') } : null,
    // The whole log up to the checkpoint, or a range of it: log verify fails a bundle that says whole and is not.
    whole: input.start === 0 && end === input.checkpoint.size,
    created: input.createdAt,
    sha256: files,
  };
  const manifestSha256 = writeWhole(path.join(dir, EXPORT_FILES.manifest), JSON.stringify(manifest, null, 1) + '\n');
  fsyncDirectoryIfSupported(dir);
  return { dir, start: input.start, end, size: input.checkpoint.size, root: manifest.root, whole: manifest.whole, manifestSha256, files };
}

// ---------------------------------------------------------------------------------------------
// Offline verification

export interface ExportProblem {
  /** What is wrong, for a person. */
  message: string;
  /** The entry (leaf index) concerned, when one is. */
  seq?: number;
  file?: string;
  line?: number;
}

export interface ExportVerification {
  ok: boolean;
  dir: string;
  origin?: string;
  start?: number;
  end?: number;
  size?: number;
  root?: string;
  /** The manifest's claim, checked: the whole log up to its checkpoint (true) or a range of it. */
  whole?: boolean;
  /** SHA-256 of manifest.json, as the next export's log.exported entry should name it. */
  manifestSha256?: string;
  key: { source: 'file' | 'export'; text?: string };
  checks: string[];
  problems: ExportProblem[];
  /** The previous export checked against, when --previous was given. */
  previous?: { dir: string; size: number; root: string; consistent: boolean };
}

function splitLines(buf: Buffer, file: string, problems: ExportProblem[]): string[] {
  const text = buf.toString('utf8');
  if (text.length === 0) return [];
  if (!text.endsWith('\n')) problems.push({ message: `${file} does not end with a newline (truncated?)`, file });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface LoadedExport {
  verifier?: Verifier;
  checkpoint?: Checkpoint;
  start: number;
  entries: string[];
  leafHashes: Buffer[];
}

/**
 * Check an export directory with nothing but its files (and, optionally, a trusted key and the
 * previous export): the signature, every entry against its leaf hash, the leaves against the
 * signed root, and consistency with the previous export. Problems name the first broken entry.
 */
export function verifyExport(dir: string, opts: { keyText?: string; previousDir?: string } = {}): ExportVerification {
  const result: ExportVerification = { ok: false, dir, key: { source: opts.keyText ? 'file' : 'export' }, checks: [], problems: [] };
  const loaded = checkOne(dir, opts.keyText, result);
  if (loaded && opts.previousDir) checkPrevious(dir, opts.previousDir, opts.keyText ?? result.key.text, loaded, result);
  result.ok = result.problems.length === 0;
  return result;
}

function read(dir: string, name: string, result: ExportVerification, required = true): Buffer | undefined {
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    if (required) result.problems.push({ message: `${name} is missing`, file: name });
    return undefined;
  }
  return readFileSync(file);
}

function checkOne(dir: string, keyText: string | undefined, result: ExportVerification): LoadedExport | undefined {
  const problems = result.problems;
  // Key
  const keyBuf = keyText ?? read(dir, EXPORT_FILES.key, result)?.toString('utf8');
  if (keyBuf === undefined) return undefined;
  let verifier: Verifier;
  try {
    verifier = parseVerifierKey(keyBuf.trim());
    result.key.text = keyBuf.trim();
  } catch (e) {
    problems.push({ message: `station key: ${(e as Error).message}`, file: keyText ? undefined : EXPORT_FILES.key });
    return undefined;
  }
  if (keyText) {
    const shipped = read(dir, EXPORT_FILES.key, result, false)?.toString('utf8').trim();
    if (shipped !== undefined && shipped !== keyText.trim()) result.checks.push('note: the export ships a different key than the one given with --key; using --key');
  }
  // Checkpoint
  const cpBuf = read(dir, EXPORT_FILES.checkpoint, result);
  if (!cpBuf) return undefined;
  const rotations = readKeyHistory(dir, result);
  if (!rotations) return undefined;
  const keyAt = followFromTrustedKey(rotations, verifier, result);
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(cpBuf, keyAt(claimedSize(cpBuf) ?? 0));
  } catch (e) {
    problems.push({ message: `${EXPORT_FILES.checkpoint}: ${(e as Error).message}`, file: EXPORT_FILES.checkpoint });
    return undefined;
  }
  checkRotationsInLog(rotations, checkpoint, result);
  const rotationBySeq = new Map(rotations.map((r) => [r.seq, r.entry]));
  result.origin = checkpoint.origin;
  result.size = checkpoint.size;
  result.root = checkpoint.root.toString('base64');
  const signedBy = keyAt(checkpoint.size);
  result.checks.push(`checkpoint signed by ${signedBy.name} (${signedBy.keyHash.toString('hex')}): size ${checkpoint.size}`);
  // Manifest: mandatory; must agree with the checkpoint, the range and every file
  const manBuf = read(dir, EXPORT_FILES.manifest, result);
  let manifest: { format?: string; start?: number; end?: number; size?: number; root?: string; whole?: unknown; sha256?: Record<string, string> } = {};
  if (manBuf) result.manifestSha256 = createHash('sha256').update(manBuf).digest('hex');
  if (manBuf) {
    try {
      manifest = JSON.parse(manBuf.toString('utf8'));
      if (manifest.format !== EXPORT_FORMAT) problems.push({ message: `manifest.json: unknown format ${manifest.format}`, file: EXPORT_FILES.manifest });
      if (manifest.size !== checkpoint.size || manifest.root !== result.root) {
        problems.push({ message: 'manifest.json: size or root differ from the signed checkpoint', file: EXPORT_FILES.manifest });
      }
    } catch {
      problems.push({ message: 'manifest.json is not JSON', file: EXPORT_FILES.manifest });
    }
  }
  // Range proof
  const rpBuf = read(dir, EXPORT_FILES.rangeProof, result);
  if (!rpBuf) return undefined;
  let rp: { start: number; end: number; size: number; proof: string[] };
  try {
    rp = JSON.parse(rpBuf.toString('utf8'));
    if (!Number.isSafeInteger(rp.start) || !Number.isSafeInteger(rp.end) || !Array.isArray(rp.proof)) throw new Error('bad shape');
  } catch {
    problems.push({ message: `${EXPORT_FILES.rangeProof} is malformed`, file: EXPORT_FILES.rangeProof });
    return undefined;
  }
  result.start = rp.start;
  result.end = rp.end;
  const isWhole = rp.start === 0 && rp.end === checkpoint.size;
  result.whole = isWhole;
  if (manBuf && (manifest.start !== rp.start || manifest.end !== rp.end)) {
    problems.push({ message: `manifest.json says entries ${manifest.start}..${manifest.end}, the range proof ${rp.start}..${rp.end}: the range was changed`, file: EXPORT_FILES.manifest });
  }
  if (manifest.whole === true && !isWhole) {
    problems.push({
      message: `manifest.json says this is the whole log up to its checkpoint (size ${checkpoint.size}), but it holds entries ${rp.start}..${rp.end}: entries were dropped`,
      file: EXPORT_FILES.manifest,
    });
  } else if (manBuf && typeof manifest.whole !== 'boolean') {
    problems.push({ message: 'manifest.json does not say whether the export is the whole log or a range', file: EXPORT_FILES.manifest });
  }
  if (rp.size !== checkpoint.size) problems.push({ message: `${EXPORT_FILES.rangeProof}: size ${rp.size} differs from the checkpoint's ${checkpoint.size}`, file: EXPORT_FILES.rangeProof });
  // Entries and their leaf hashes
  const entBuf = read(dir, EXPORT_FILES.entries, result);
  const leafBuf = read(dir, EXPORT_FILES.leaves, result, false);
  if (!entBuf) return undefined;
  const entries = splitLines(entBuf, EXPORT_FILES.entries, problems);
  const listed = leafBuf ? splitLines(leafBuf, EXPORT_FILES.leaves, problems) : undefined;
  if (rp.end - rp.start !== entries.length) {
    problems.push({
      message: `${EXPORT_FILES.entries} has ${entries.length} entries but the export covers ${rp.start}..${rp.end} (${rp.end - rp.start}): entries were added or removed`,
      file: EXPORT_FILES.entries,
    });
  }
  const leafHashes: Buffer[] = [];
  let firstBroken: ExportProblem | undefined;
  for (let i = 0; i < entries.length; i++) {
    const seq = rp.start + i;
    const text = entries[i];
    const h = leafHash(Buffer.from(text, 'utf8'));
    leafHashes.push(h);
    if (firstBroken) continue;
    let parsed: { seq?: unknown } | undefined;
    let canonical = false;
    try {
      parsed = JSON.parse(text);
      canonical = canonicalJson(parsed, { allowFloats: true }) === text;
    } catch {
      /* reported below */
    }
    if (!parsed || !canonical) {
      firstBroken = { message: `entry ${seq} (line ${i + 1}) is not canonical JSON`, seq, file: EXPORT_FILES.entries, line: i + 1 };
    } else if (parsed.seq !== undefined && parsed.seq !== seq) {
      firstBroken = { message: `entry at line ${i + 1} says seq ${String(parsed.seq)}, expected ${seq}: entries were removed, added or reordered`, seq, file: EXPORT_FILES.entries, line: i + 1 };
    } else if (listed && listed[i] !== undefined && listed[i] !== h.toString('base64')) {
      firstBroken = { message: `entry ${seq} (line ${i + 1}) does not match its leaf hash: its text was changed`, seq, file: EXPORT_FILES.entries, line: i + 1 };
    }
    if (!firstBroken && (parsed as { type?: unknown }).type === ROTATION_TYPE && rotationBySeq.get(seq) !== text) {
      firstBroken = { message: `entry ${seq} is a key rotation that ${EXPORT_FILES.keyHistory} does not carry as it is: the key history was changed`, seq, file: EXPORT_FILES.keyHistory };
    }
  }
  if (firstBroken) problems.push(firstBroken);
  else result.checks.push(`${entries.length} entries ${rp.start}..${rp.start + entries.length} are canonical and in order`);
  // Root
  try {
    const proof = rp.proof.map((p) => Buffer.from(p, 'base64'));
    const root = rootFromRange(checkpoint.size, rp.start, leafHashes, proof);
    if (!root.equals(checkpoint.root)) {
      if (!firstBroken) {
        problems.push({
          message: `entries ${rp.start}..${rp.start + entries.length} do not lead to the signed root: an entry or the proof was changed (compare with --previous to find which)`,
          file: EXPORT_FILES.entries,
        });
      }
    } else {
      result.checks.push(`entries lead to the signed root ${result.root}`);
    }
  } catch (e) {
    if (!(e instanceof ProofError)) throw e;
    problems.push({ message: `${EXPORT_FILES.rangeProof}: ${e.message}`, file: EXPORT_FILES.rangeProof });
  }
  // Consistency with the previous export (as shipped)
  const consBuf = read(dir, EXPORT_FILES.consistency, result, false);
  if (consBuf) {
    try {
      const cons = JSON.parse(consBuf.toString('utf8')) as { size1: number; root1: string; size2: number; root2: string; proof: string[] };
      const prevNote = read(dir, EXPORT_FILES.previousCheckpoint, result);
      if (prevNote) {
        const prev = openCheckpoint(prevNote, keyAt(claimedSize(prevNote) ?? 0), checkpoint.origin);
        if (prev.size !== cons.size1 || prev.root.toString('base64') !== cons.root1) throw new ProofError('consistency.json does not start at previous-checkpoint');
        if (cons.size2 !== checkpoint.size || cons.root2 !== result.root) throw new ProofError('consistency.json does not end at checkpoint');
        verifyConsistency(prev.size, checkpoint.size, cons.proof.map((p) => Buffer.from(p, 'base64')), prev.root, checkpoint.root);
        result.checks.push(`the log at size ${prev.size} (previous export) is a prefix of this one`);
      }
    } catch (e) {
      if (e instanceof ProofError || e instanceof CheckpointError || e instanceof NoteError || e instanceof SyntaxError) {
        problems.push({ message: `consistency with the previous export: ${e.message}`, file: EXPORT_FILES.consistency });
      } else throw e;
    }
  }
  // File digests of the manifest (catches an edit to a file verify does not read, e.g. the CSV)
  if (manifest.sha256) {
    const already = new Map<string, Buffer | undefined>([
      [EXPORT_FILES.entries, entBuf],
      [EXPORT_FILES.leaves, leafBuf],
    ]);
    for (const [name, want] of Object.entries(manifest.sha256)) {
      const b = already.has(name) ? already.get(name) : read(dir, name, result, false);
      if (!b) problems.push({ message: `${name} is listed in manifest.json but missing`, file: name });
      else if (createHash('sha256').update(b).digest('hex') !== want) problems.push({ message: `${name} differs from what was exported (its SHA-256 in manifest.json)`, file: name });
    }
  }
  return { verifier, checkpoint, start: rp.start, entries, leafHashes };
}

function checkPrevious(dir: string, previousDir: string, keyText: string | undefined, current: LoadedExport, result: ExportVerification): void {
  const prevResult: ExportVerification = { ok: false, dir: previousDir, key: { source: 'file' }, checks: [], problems: [] };
  const prev = checkOne(previousDir, keyText, prevResult);
  for (const p of prevResult.problems) result.problems.push({ ...p, message: `previous export ${previousDir}: ${p.message}` });
  if (!prev?.checkpoint || !current.checkpoint) return;
  const size1 = prev.checkpoint.size;
  const size2 = current.checkpoint.size;
  let consistent = false;
  // Entries both exports hold must be byte for byte the same: name the first that is not.
  const lo = Math.max(prev.start, current.start);
  const hi = Math.min(prev.start + prev.entries.length, current.start + current.entries.length);
  for (let seq = lo; seq < hi; seq++) {
    const a = prev.entries[seq - prev.start];
    const b = current.entries[seq - current.start];
    if (a !== b) {
      result.problems.push({ message: `entry ${seq} differs from the previous export ${previousDir}: the log was rewritten`, seq, file: EXPORT_FILES.entries, line: seq - current.start + 1 });
      break;
    }
  }
  const consBuf = read(dir, EXPORT_FILES.consistency, result, false);
  if (size1 === size2) {
    consistent = prev.checkpoint.root.equals(current.checkpoint.root);
  } else if (size1 > size2) {
    result.problems.push({ message: `the previous export (size ${size1}) is larger than this one (size ${size2}): the log shrank` });
  } else if (!consBuf) {
    result.problems.push({ message: `${EXPORT_FILES.consistency} is missing: nothing ties this export to the previous one`, file: EXPORT_FILES.consistency });
  } else {
    try {
      const cons = JSON.parse(consBuf.toString('utf8')) as { size1: number; proof: string[] };
      if (cons.size1 !== size1) throw new ProofError(`the proof starts at size ${cons.size1}, the previous export has size ${size1}`);
      verifyConsistency(size1, size2, cons.proof.map((p) => Buffer.from(p, 'base64')), prev.checkpoint.root, current.checkpoint.root);
      consistent = true;
    } catch (e) {
      if (!(e instanceof ProofError || e instanceof SyntaxError)) throw e;
      result.problems.push({ message: `not consistent with the previous export: ${e.message}`, file: EXPORT_FILES.consistency });
    }
  }
  checkPreviousManifestLogged(previousDir, prevResult.manifestSha256, prev.checkpoint, current, result);
  if (size1 === size2 && !consistent) result.problems.push({ message: 'same size as the previous export but a different root: the log was rewritten' });
  if (consistent) result.checks.push(`consistent with the previous export ${previousDir} (size ${size1} -> ${size2})`);
  result.previous = { dir: previousDir, size: size1, root: prev.checkpoint.root.toString('base64'), consistent };
}

/**
 * The previous export's manifest.json against the log.exported entry the station wrote when it
 * made it (when this export's entries hold that entry): an edited or replaced manifest shows.
 */
function checkPreviousManifestLogged(previousDir: string, manifestSha256: string | undefined, prevCheckpoint: Checkpoint, current: LoadedExport, result: ExportVerification): void {
  if (!manifestSha256) return;
  const root = prevCheckpoint.root.toString('base64');
  for (let i = 0; i < current.entries.length; i++) {
    let e: { type?: unknown; data?: { size?: unknown; root?: unknown; manifestSha256?: unknown } };
    try {
      e = JSON.parse(current.entries[i]);
    } catch {
      continue;
    }
    if (e.type !== 'log.exported' || e.data?.size !== prevCheckpoint.size || e.data?.root !== root) continue;
    const seq = current.start + i;
    if (e.data.manifestSha256 === undefined) return;
    if (e.data.manifestSha256 !== manifestSha256) {
      result.problems.push({ message: `the previous export's manifest.json is not the one logged when it was made (entry ${seq}): it was edited`, seq, file: EXPORT_FILES.entries, line: i + 1 });
    } else result.checks.push(`the previous export's manifest.json is the one logged when it was made (entry ${seq})`);
    return;
  }
}

type ShippedRotation = RotationEntry & { proof: Buffer[] };

/** key-history.json (optional: an export made before any rotation has none); undefined when it is unreadable. */
function readKeyHistory(dir: string, result: ExportVerification): ShippedRotation[] | undefined {
  const buf = read(dir, EXPORT_FILES.keyHistory, result, false);
  if (!buf) return [];
  try {
    const v = JSON.parse(buf.toString('utf8')) as { rotations?: { seq?: unknown; entry?: unknown; proof?: unknown }[] };
    if (!Array.isArray(v.rotations)) throw new Error('no rotations list');
    const out: ShippedRotation[] = [];
    for (const r of v.rotations) {
      if (!Number.isSafeInteger(r.seq) || typeof r.entry !== 'string' || !Array.isArray(r.proof)) throw new Error('a rotation without seq, entry or proof');
      out.push({ seq: r.seq as number, entry: r.entry, proof: (r.proof as unknown[]).map((p) => Buffer.from(String(p), 'base64')) });
    }
    return out.sort((a, b) => a.seq - b.seq);
  } catch (e) {
    result.problems.push({ message: `${EXPORT_FILES.keyHistory} is malformed: ${(e as Error).message}`, file: EXPORT_FILES.keyHistory });
    return undefined;
  }
}

/**
 * The key for each checkpoint size: the trusted key, followed through the signed rotations. The
 * trusted key must be one of the history's keys; a rotation not signed by the key before it
 * breaks the chain, named.
 */
function followFromTrustedKey(rotations: ShippedRotation[], trusted: Verifier, result: ExportVerification): (size: number) => Verifier {
  if (rotations.length === 0) return () => trusted;
  const chain = followRotations(rotations);
  for (const p of chain.problems) {
    const seq = /entry (\d+)/.exec(p)?.[1];
    result.problems.push({ message: p, file: EXPORT_FILES.keyHistory, ...(seq ? { seq: Number(seq) } : {}) });
  }
  const trustedText = formatVerifierKey(trusted);
  const at = chain.steps.findIndex((s) => s.key === trustedText);
  if (at < 0) {
    if (chain.problems.length === 0) {
      result.problems.push({ message: `the key you trust (${trusted.name}+${trusted.keyHash.toString('hex')}) is not in the export's key history (${chain.steps.map((s) => s.key.split('+').slice(0, 2).join('+')).join(' -> ')})`, file: EXPORT_FILES.keyHistory });
    }
    return () => trusted;
  }
  const last = chain.steps[chain.steps.length - 1];
  if (at < chain.steps.length - 1) {
    result.checks.push(`key history: followed ${chain.steps.length - 1 - at} rotation(s), each signed by the key before it, from the key you trust to ${last.key.split('+').slice(0, 2).join('+')} (signs from size ${last.fromSize})`);
  }
  return keyForSize(chain, trusted);
}

/** Each shipped rotation must be in the signed log (inclusion proof against the checkpoint). */
function checkRotationsInLog(rotations: ShippedRotation[], checkpoint: Checkpoint, result: ExportVerification): void {
  for (const r of rotations) {
    try {
      if (r.seq >= checkpoint.size) throw new ProofError(`it is beyond the checkpoint (size ${checkpoint.size})`);
      verifyInclusion(r.seq, checkpoint.size, leafHash(Buffer.from(r.entry, 'utf8')), r.proof, checkpoint.root);
    } catch (e) {
      if (!(e instanceof ProofError)) throw e;
      result.problems.push({ message: `key rotation at entry ${r.seq} is not in the signed log: ${e.message}`, seq: r.seq, file: EXPORT_FILES.keyHistory });
    }
  }
}
