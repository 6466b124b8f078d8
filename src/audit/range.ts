// Range proofs: show that the leaves [start, end) are exactly those of a tree of size n, so an
// export of part of the log can be checked against a signed checkpoint of the whole log.
//
// Prover and verifier walk the same RFC 6962 recursion over [0, n). A subtree that lies wholly
// outside [start, end) is not opened: the prover emits its hash (it is a node of the tree, so the
// stored-subtree store gives it in O(log n)); the verifier takes the next hash from the proof. A
// subtree wholly inside is computed from the exported leaves. At most 2·log2(n) hashes are sent.
import { MerkleTree, ProofError, HASH_SIZE, nodeHash, EMPTY_ROOT } from './merkle.js';

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkRange(start: number, end: number, n: number): void {
  for (const [v, w] of [[start, 'start'], [end, 'end'], [n, 'tree size']] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ProofError(`range ${w} must be a non-negative integer, got ${v}`);
  }
  if (start > end || end > n) throw new ProofError(`range ${start}..${end} does not lie in a tree of size ${n}`);
}

/** Hashes needed to verify leaves [start, end) against the root of size n. */
export function rangeProof(tree: MerkleTree, start: number, end: number, n = tree.size): Buffer[] {
  checkRange(start, end, n);
  const out: Buffer[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= start || lo >= end) {
      out.push(tree.rangeHash(lo, hi));
      return;
    }
    if (lo >= start && hi <= end) return;
    const k = splitPoint(hi - lo);
    walk(lo, lo + k);
    walk(lo + k, hi);
  };
  if (n > 0 && start < end) walk(0, n);
  else if (n > 0) out.push(tree.root(n)); // nothing exported: the proof is the root itself
  return out;
}

/**
 * The root of size n given the leaf hashes of [start, end) and a range proof. Throws ProofError
 * when the proof has the wrong number or size of nodes.
 */
export function rootFromRange(n: number, start: number, leaves: readonly Buffer[], proof: readonly Uint8Array[]): Buffer {
  const end = start + leaves.length;
  checkRange(start, end, n);
  proof.forEach((p, i) => {
    if (p.length !== HASH_SIZE) throw new ProofError(`range proof node ${i} is ${p.length} bytes, not ${HASH_SIZE}`);
  });
  leaves.forEach((l, i) => {
    if (l.length !== HASH_SIZE) throw new ProofError(`leaf hash ${start + i} is ${l.length} bytes, not ${HASH_SIZE}`);
  });
  if (n === 0) {
    if (proof.length !== 0) throw new ProofError('range proof for an empty tree must be empty');
    return Buffer.from(EMPTY_ROOT);
  }
  if (leaves.length === 0) {
    if (proof.length !== 1) throw new ProofError('range proof for no leaves must be the root alone');
    return Buffer.from(proof[0]);
  }
  let next = 0;
  const walk = (lo: number, hi: number): Buffer => {
    if (hi <= start || lo >= end) {
      if (next >= proof.length) throw new ProofError('range proof has too few nodes');
      return Buffer.from(proof[next++]);
    }
    if (hi - lo === 1) return leaves[lo - start];
    const k = splitPoint(hi - lo);
    const left = walk(lo, lo + k);
    const right = walk(lo + k, hi);
    return nodeHash(left, right);
  };
  const root = walk(0, n);
  if (next !== proof.length) throw new ProofError('range proof has too many nodes');
  return root;
}
