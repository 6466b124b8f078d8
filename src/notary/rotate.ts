// Rotating the key the notary holds: on `rotate` it makes the next key in its state directory
// (kept there, never sent) and answers the rotation entry's data, signed by its current key. It
// starts signing with the next key only when asked to sign a checkpoint that covers that entry
// (the entry and its inclusion proof come with the sign request): the new key's first signature
// is its last signed checkpoint, written before the key file is moved in place. A crash between
// the two is settled at start.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writeNewFileDurably } from '../lib/durable.js';
import { fsyncDirectory } from '../lib/durable.js';
import type { Checkpoint } from '../audit/checkpoint.js';
import { followRotations, ROTATION_TYPE, rotationData, type RotationData } from '../audit/key-history.js';
import { leafHash, ProofError, verifyInclusion } from '../audit/merkle.js';
import { formatSignerKey, formatVerifierKey, generateSigner, openNote, parseSignerKey, verifierOf, type Signer } from '../audit/note.js';
import type { NotaryPaths } from './state.js';

export interface RotationProof {
  seq: number;
  entry: string;
  proof: Buffer[];
}

export function nextKeyFile(p: NotaryPaths): string {
  return `${p.key}.next`;
}

/** The next key (made now, or the one a rotation not yet covered made) and the entry's data. */
export function prepareRotation(p: NotaryPaths, current: Signer): RotationData {
  const file = nextKeyFile(p);
  let next: Signer;
  if (existsSync(file)) next = parseSignerKey(readFileSync(file, 'utf8'));
  else {
    next = generateSigner(current.name);
    writeNewFileDurably(file, formatSignerKey(next) + '\n', 0o600);
    fsyncDirectory(p.dir);
  }
  return rotationData(current, verifierOf(next));
}

/**
 * The next key when `rotation` is the entry naming it, signed by `current`, in the log of
 * `checkpoint`; else the reason for a refusal.
 */
export function keyAfterRotation(p: NotaryPaths, current: Signer, rotation: RotationProof, checkpoint: Checkpoint): Signer | string {
  const file = nextKeyFile(p);
  if (!existsSync(file)) return 'no key rotation is prepared (ask `rotate` first)';
  const next = parseSignerKey(readFileSync(file, 'utf8'));
  let parsed: { type?: unknown; data?: { publicKey?: unknown } };
  try {
    parsed = JSON.parse(rotation.entry);
  } catch {
    return `the rotation entry ${rotation.seq} is not JSON`;
  }
  if (parsed.type !== ROTATION_TYPE) return `entry ${rotation.seq} is not a ${ROTATION_TYPE} entry`;
  if (parsed.data?.publicKey !== formatVerifierKey(verifierOf(next))) return `entry ${rotation.seq} names another key than the one this notary prepared`;
  const chain = followRotations([{ seq: rotation.seq, entry: rotation.entry }], verifierOf(current));
  if (chain.problems.length) return chain.problems[0];
  if (rotation.seq >= checkpoint.size) return `the rotation entry ${rotation.seq} is not below the checkpoint size ${checkpoint.size}`;
  try {
    verifyInclusion(rotation.seq, checkpoint.size, leafHash(Buffer.from(rotation.entry, 'utf8')), rotation.proof, checkpoint.root);
  } catch (err) {
    if (err instanceof ProofError) return `the rotation entry ${rotation.seq} is not in the checkpoint asked for: ${err.message}`;
    throw err;
  }
  return next;
}

/** Put the next key in place (after its first signature was written as the last signed checkpoint). */
export function switchToNextKey(p: NotaryPaths): void {
  renameSync(nextKeyFile(p), p.key);
  fsyncDirectory(p.dir);
}

/** At start: a last signed checkpoint that only the next key opens means the switch was cut short; finish it. */
export function settleRotation(p: NotaryPaths, lastNote: string | null, current: Signer): boolean {
  const file = nextKeyFile(p);
  if (lastNote === null || !existsSync(file)) return false;
  try {
    openNote(lastNote, [verifierOf(current)]);
    return false;
  } catch {
    const next = parseSignerKey(readFileSync(file, 'utf8'));
    openNote(lastNote, [verifierOf(next)]);
    switchToNextKey(p);
    return true;
  }
}

/** Whether a rotation is prepared and not yet covered by a signed checkpoint. */
export function rotationPending(p: NotaryPaths): boolean {
  return existsSync(nextKeyFile(p));
}
