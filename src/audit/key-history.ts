// The station key's history: which key signs a checkpoint of a given size. Each rotation is a
// `station.key-rotated` log entry carrying the new public key and a statement signed by the old
// key; a checkpoint of size S is signed by the key named by the last rotation below S (else the
// first key). Verifiers follow this chain from a key they trust instead of checking every
// checkpoint with today's key; a rotation not signed by the key before it breaks the chain.
import type Database from 'better-sqlite3';
import { parseCheckpoint } from './checkpoint.js';
import { stationVerifier } from './keys.js';
import { formatVerifierKey, openNote, parseNote, parseVerifierKey, signNote, type Signer, type Verifier } from './note.js';

type Db = Database.Database;

export const ROTATION_TYPE = 'station.key-rotated';

/** The data of a station.key-rotated entry. */
export interface RotationData {
  station: string;
  previousKey: string;
  publicKey: string;
  keyHash: string;
  /** A signed note by the previous key: the text of rotationStatement(). */
  statement: string;
}

export interface RotationEntry {
  seq: number;
  /** The entry's canonical text, as the log holds it. */
  entry: string;
}

/** What the old key signs: the station, itself and its successor. */
export function rotationStatementText(station: string, previousKey: string, publicKey: string): string {
  return `evidock key rotation\n${station}\nfrom ${previousKey}\nto ${publicKey}\n`;
}

/** The rotation entry's data: `next` replaces `old`, the statement signed by `old`. */
export function rotationData(old: Signer, next: Verifier): RotationData {
  const previousKey = formatVerifierKey(old);
  const publicKey = formatVerifierKey(next);
  return { station: old.name, previousKey, publicKey, keyHash: next.keyHash.toString('hex'), statement: signNote(rotationStatementText(old.name, previousKey, publicKey), old) };
}

export interface KeyStep {
  /** Verifier key text. */
  key: string;
  verifier: Verifier;
  /** The smallest checkpoint size this key signs (0 for the first key). */
  fromSize: number;
  /** The rotation entry that introduced it (null for the first key). */
  seq: number | null;
}

export interface KeyHistory {
  steps: KeyStep[];
  problems: string[];
}

function keyLabel(v: Verifier): string {
  return `${v.name}+${v.keyHash.toString('hex')}`;
}

/**
 * Follow the rotations (in seq order) from the first key: `first` when given, else the first
 * rotation's previous key. Each rotation must be signed by the key current before it and name it
 * as its previous key; the first that is not stops the chain with a problem naming its entry.
 */
export function followRotations(rotations: readonly RotationEntry[], first?: Verifier): KeyHistory {
  const problems: string[] = [];
  const steps: KeyStep[] = [];
  let current = first;
  for (const r of rotations) {
    let data: Partial<RotationData>;
    try {
      data = (JSON.parse(r.entry) as { data?: Partial<RotationData> }).data ?? {};
    } catch {
      problems.push(`key rotation at entry ${r.seq} is not JSON`);
      break;
    }
    let next: Verifier;
    let previous: Verifier;
    try {
      next = parseVerifierKey(String(data.publicKey));
      previous = parseVerifierKey(String(data.previousKey));
    } catch (err) {
      problems.push(`key rotation at entry ${r.seq}: ${(err as Error).message}`);
      break;
    }
    if (current === undefined) current = previous;
    if (steps.length === 0) steps.push({ key: formatVerifierKey(current), verifier: current, fromSize: 0, seq: null });
    if (formatVerifierKey(previous) !== formatVerifierKey(current)) {
      problems.push(`key rotation at entry ${r.seq} names ${keyLabel(previous)} as the key it replaces, but the key then was ${keyLabel(current)}: a forged rotation`);
      break;
    }
    let signedText: string;
    try {
      signedText = openNote(String(data.statement ?? ''), [current]).text;
    } catch (err) {
      problems.push(`key rotation at entry ${r.seq} is not signed by the previous key ${keyLabel(current)} (${(err as Error).message}): a forged rotation`);
      break;
    }
    if (signedText !== rotationStatementText(current.name, formatVerifierKey(current), formatVerifierKey(next))) {
      problems.push(`key rotation at entry ${r.seq}: the statement signed by ${keyLabel(current)} does not name the key the entry introduces: a forged rotation`);
      break;
    }
    if (next.name !== current.name) {
      problems.push(`key rotation at entry ${r.seq} names a key of station ${next.name}, not ${current.name}`);
      break;
    }
    current = next;
    steps.push({ key: formatVerifierKey(next), verifier: next, fromSize: r.seq + 1, seq: r.seq });
  }
  if (steps.length === 0 && current !== undefined) steps.push({ key: formatVerifierKey(current), verifier: current, fromSize: 0, seq: null });
  return { steps, problems };
}

/** The key that signs a checkpoint of `size` in this history (undefined for an empty history). */
export function keyAtSize(history: KeyHistory, size: number): Verifier | undefined {
  let found: Verifier | undefined;
  for (const s of history.steps) if (s.fromSize <= size) found = s.verifier;
  return found;
}

/** The rotation entries of a log, from the catalog (below `size` when given). */
export function rotationEntries(db: Db, size = Number.MAX_SAFE_INTEGER): RotationEntry[] {
  return db.prepare('SELECT seq, entry FROM audit_entries WHERE type = ? AND seq < ? ORDER BY seq').all(ROTATION_TYPE, size) as RotationEntry[];
}

/** The rotation entries among journal (or export) entries. */
export function rotationsAmong(entries: Iterable<{ seq: number; type?: string; entry: string }>): RotationEntry[] {
  const out: RotationEntry[] = [];
  for (const e of entries) {
    const type = e.type ?? (JSON.parse(e.entry) as { type?: string }).type;
    if (type === ROTATION_TYPE) out.push({ seq: e.seq, entry: e.entry });
  }
  return out;
}

/**
 * The history of a home checked against the key it signs with now (`current`): the chain must
 * end at it. A key replaced without a rotation entry is not in the chain: that is a problem
 * (with no rotations at all the chain is just `current`, and the checkpoints tell).
 */
export function homeKeyHistory(rotations: readonly RotationEntry[], current: Verifier): KeyHistory {
  if (rotations.length === 0) return followRotations([], current);
  const h = followRotations(rotations);
  const last = h.steps[h.steps.length - 1];
  if (h.problems.length === 0 && last && last.key !== formatVerifierKey(current)) {
    h.problems.push(`the station key ${keyLabel(current)} is not the key the last rotation (entry ${last.seq ?? '-'}) names (${keyLabel(last.verifier)}): the key was replaced without a rotation entry`);
  }
  return h;
}

/** The size a signed checkpoint note claims, read before its signature is checked (to pick the key). */
export function claimedSize(note: string | Buffer): number | undefined {
  try {
    return parseCheckpoint(parseNote(note).text).size;
  } catch {
    return undefined;
  }
}

/** A function giving the key for a checkpoint size: the history's key, or `fallback` before any. */
export function keyForSize(history: KeyHistory, fallback: Verifier): (size: number) => Verifier {
  return (size) => keyAtSize(history, size) ?? fallback;
}

export interface StationKeys {
  /** The key for a checkpoint of a given size. */
  keyAt: (size: number) => Verifier;
  history: KeyHistory;
  /** The key that signs now and where it was read. */
  current: Verifier;
  from: string;
  /** Problems with the key files or the history (a forged rotation, a key replaced without one). */
  problems: string[];
}

/**
 * This home's keys: the one that signs now (stationVerifier) and the history of `rotations`
 * (from the journal or the catalog) ending at it. { problem } when no key can be read.
 */
export function stationKeys(homeDir: string, stationId: string, rotations: readonly RotationEntry[]): StationKeys | { problem: string } {
  const found = stationVerifier(homeDir, stationId);
  if ('problem' in found) return found;
  const history = homeKeyHistory(rotations, found.verifier);
  return { keyAt: keyForSize(history, found.verifier), history, current: found.verifier, from: found.from, problems: [...found.problems, ...history.problems] };
}
