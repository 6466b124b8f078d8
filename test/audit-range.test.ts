import { describe, expect, it } from 'vitest';
import { MemoryTreeStore, MerkleTree, ProofError, leafHash } from '../src/audit/merkle.js';
import { rangeProof, rootFromRange } from '../src/audit/range.js';

const tree = new MerkleTree(new MemoryTreeStore());
const leaves: Buffer[] = [];
for (let i = 0; i < 40; i++) leaves.push(tree.append(Buffer.from(`entry ${i}`)).leafHash);

describe('range proofs', () => {
  it('every range of every size of a 40-entry log leads to the root', () => {
    for (let n = 0; n <= 40; n++) {
      const root = tree.root(n);
      for (let a = 0; a <= n; a++) {
        for (let b = a; b <= n; b++) {
          const proof = rangeProof(tree, a, b, n);
          expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(Math.max(n, 2))) + 1);
          expect(rootFromRange(n, a, leaves.slice(a, b), proof).equals(root), `n=${n} ${a}..${b}`).toBe(true);
        }
      }
    }
  });

  it('a changed leaf, a shifted start or a truncated proof change the root or fail', () => {
    const root = tree.root(40);
    const proof = rangeProof(tree, 10, 25, 40);
    const ls = leaves.slice(10, 25);
    const changed = [...ls];
    changed[3] = leafHash(Buffer.from('forged'));
    expect(rootFromRange(40, 10, changed, proof).equals(root)).toBe(false);
    let shifted = false;
    try { shifted = rootFromRange(40, 11, ls.slice(0, 14), proof).equals(root); } catch (e) { expect(e).toBeInstanceOf(ProofError); }
    expect(shifted).toBe(false);
    expect(() => rootFromRange(40, 10, ls, proof.slice(1))).toThrow(ProofError);
    expect(() => rootFromRange(40, 10, ls, [...proof, proof[0]])).toThrow(ProofError);
    expect(() => rootFromRange(40, 10, ls.concat(ls), proof)).toThrow(ProofError);
  });
});
