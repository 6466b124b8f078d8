// The notary's one rule for checkpoints: sign a new (origin, size, root) only when a consistency
// proof shows it extends the last checkpoint the notary itself signed. Pure: returns the reason
// for a refusal, or null.
import { parseCheckpoint, type Checkpoint } from '../audit/checkpoint.js';
import { HASH_SIZE, ProofError, verifyConsistency } from '../audit/merkle.js';
import { openNote, type Verifier } from '../audit/note.js';

export interface SignRequest {
  checkpoint: Checkpoint;
  /** Size of the tree the proof starts from: must be the notary's last signed size. */
  fromSize: number;
  proof: Buffer[];
}

/** The last checkpoint the notary signed, re-opened with its own key (a changed file is refused). */
export function lastSignedCheckpoint(note: string | null, verifier: Verifier): Checkpoint | null {
  if (note === null) return null;
  return parseCheckpoint(openNote(note, [verifier]).text);
}

/** Null when `req` may be signed after `last`; otherwise why not, in words for the log. */
export function refusalReason(req: SignRequest, last: Checkpoint | null, keyName: string): string | null {
  const c = req.checkpoint;
  if (c.origin !== keyName) return `origin ${c.origin} is not this notary's station ${keyName}`;
  if (c.root.length !== HASH_SIZE) return `root is ${c.root.length} bytes, not ${HASH_SIZE}`;
  if (last === null || last.size === 0) return null;
  if (c.size < last.size) return `rewritten history: size ${c.size} is below the last signed size ${last.size}`;
  if (req.fromSize !== last.size) return `the consistency proof starts at size ${req.fromSize}, but the last checkpoint this notary signed has size ${last.size}`;
  try {
    verifyConsistency(last.size, c.size, req.proof, last.root, c.root);
  } catch (err) {
    if (err instanceof ProofError) return `rewritten history: not an extension of the last signed checkpoint (size ${last.size}, root ${last.root.toString('base64')}): ${err.message}`;
    throw err;
  }
  return null;
}
