// Our own tree: roots against the RFC 6962 recursive definition and the known reference root,
// inclusion of every entry of a 1 000-entry log at several sizes, consistency between every pair
// of sizes of a 64-entry log, and that stored-subtree proofs cost O(log n) reads.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT, MemoryTreeStore, MerkleError, MerkleTree, isValidConsistency, isValidInclusion,
  leafHash, nodeHash, rootOfEntries, verifyConsistency, verifyInclusion, type TreeStore,
} from '../src/audit/merkle.js';

/** MTH by the RFC's recursive definition, straight from the entries. */
function referenceRoot(entries: Buffer[]): Buffer {
  if (entries.length === 0) return createHash('sha256').digest();
  if (entries.length === 1) return leafHash(entries[0]);
  let k = 1;
  while (k * 2 < entries.length) k *= 2;
  return nodeHash(referenceRoot(entries.slice(0, k)), referenceRoot(entries.slice(k)));
}

const entry = (i: number) => Buffer.from(JSON.stringify({ i, event: 'test' }));

function buildTree(n: number): { tree: MerkleTree; entries: Buffer[] } {
  const tree = new MerkleTree(new MemoryTreeStore());
  const entries: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    entries.push(entry(i));
    tree.append(entries[i]);
  }
  return { tree, entries };
}

describe('Merkle tree roots', () => {
  it('matches the known root of the reference leaves', () => {
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
    expect(rootOfEntries(leaves).toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  it('empty tree root is SHA-256 of nothing', () => {
    expect(new MerkleTree(new MemoryTreeStore()).root().equals(EMPTY_ROOT)).toBe(true);
    expect(EMPTY_ROOT.toString('base64')).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('root at every size 0..130 equals the recursive definition', () => {
    const { tree, entries } = buildTree(130);
    for (let n = 0; n <= 130; n++) expect(tree.root(n).equals(referenceRoot(entries.slice(0, n))), `size ${n}`).toBe(true);
  });

  it('refuses sizes beyond the leaves held', () => {
    const { tree } = buildTree(5);
    expect(() => tree.root(6)).toThrow(MerkleError);
    expect(() => tree.inclusionProof(5, 5)).toThrow(MerkleError);
    expect(() => tree.consistencyProof(0, 5)).toThrow(MerkleError);
    expect(() => tree.consistencyProof(3, 2)).toThrow(MerkleError);
  });

  it('a tree reopened on the same store continues where it stopped', () => {
    const store = new MemoryTreeStore();
    const a = new MerkleTree(store);
    for (let i = 0; i < 37; i++) a.append(entry(i));
    const b = new MerkleTree(store, 37);
    for (let i = 37; i < 100; i++) b.append(entry(i));
    expect(b.root().equals(buildTree(100).tree.root())).toBe(true);
  });
});

describe('inclusion proofs of our own 1 000-entry log', () => {
  const { tree, entries } = buildTree(1000);
  for (const size of [1, 2, 3, 7, 8, 9, 255, 256, 257, 511, 999, 1000]) {
    it(`every entry at size ${size}`, () => {
      const root = tree.root(size);
      for (let i = 0; i < size; i++) {
        const proof = tree.inclusionProof(i, size);
        verifyInclusion(i, size, leafHash(entries[i]), proof, root);
      }
    });
  }

  it('a proof fails for a changed entry, a wrong index, a wrong size, a flipped node', () => {
    const root = tree.root(1000);
    const proof = tree.inclusionProof(421, 1000);
    const leaf = leafHash(entries[421]);
    expect(isValidInclusion(421, 1000, leaf, proof, root)).toBe(true);
    expect(isValidInclusion(421, 1000, leafHash(Buffer.from('forged')), proof, root)).toBe(false);
    expect(isValidInclusion(420, 1000, leaf, proof, root)).toBe(false);
    // (sizes 999 and 1000 share this path shape — the size is bound by the signed checkpoint)
    expect(isValidInclusion(421, 512, leaf, proof, root)).toBe(false);
    expect(isValidInclusion(421, 2000, leaf, proof, root)).toBe(false);
    expect(isValidInclusion(421, 1000, leaf, proof.slice(1), root)).toBe(false);
    expect(isValidInclusion(421, 1000, leaf, [...proof, proof[0]], root)).toBe(false);
    const bad = proof.map((p) => Buffer.from(p));
    bad[3][7] ^= 1;
    expect(isValidInclusion(421, 1000, leaf, bad, root)).toBe(false);
  });
});

describe('consistency proofs of our own 64-entry log', () => {
  const { tree } = buildTree(64);
  it('between every pair of sizes 1 <= m <= n <= 64', () => {
    let checked = 0;
    for (let n = 1; n <= 64; n++) {
      const rn = tree.root(n);
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        verifyConsistency(m, n, proof, tree.root(m), rn);
        checked++;
      }
    }
    expect(checked).toBe((64 * 65) / 2);
  });

  it('fails when a root or a proof node is changed', () => {
    let rejected = 0;
    for (let n = 2; n <= 64; n++) {
      for (let m = 1; m < n; m++) {
        const proof = tree.consistencyProof(m, n);
        const r1 = tree.root(m);
        const r2 = tree.root(n);
        expect(isValidConsistency(m, n, proof, r2, r2)).toBe(false);
        expect(isValidConsistency(m, n, proof, r1, r1)).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const bad = proof.map((p) => Buffer.from(p));
          bad[i][0] ^= 0x80;
          expect(isValidConsistency(m, n, bad, r1, r2), `m=${m} n=${n} node ${i}`).toBe(false);
          rejected++;
        }
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('cost', () => {
  class CountingStore implements TreeStore {
    reads = 0;
    writes = 0;
    private readonly inner = new MemoryTreeStore();
    get(l: number, i: number) { this.reads++; return this.inner.get(l, i); }
    put(l: number, i: number, h: Buffer) { this.writes++; this.inner.put(l, i, h); }
  }

  it('append, root, inclusion and consistency read O(log n) stored hashes', () => {
    const store = new CountingStore();
    const tree = new MerkleTree(store);
    const n = 100_000;
    for (let i = 0; i < n; i++) tree.appendLeafHash(createHash('sha256').update(String(i)).digest());
    expect(store.writes).toBeLessThan(2 * n); // every perfect subtree once
    const log = Math.ceil(Math.log2(n));
    store.reads = 0; tree.root(n - 3); expect(store.reads).toBeLessThanOrEqual(log + 1);
    store.reads = 0; tree.inclusionProof(12_345, n - 3); expect(store.reads).toBeLessThanOrEqual(2 * log);
    store.reads = 0; tree.consistencyProof(77_777, n - 3); expect(store.reads).toBeLessThanOrEqual(2 * log + 2);
    store.reads = 0; tree.appendLeafHash(createHash('sha256').update('x').digest()); expect(store.reads).toBeLessThanOrEqual(log);
  });
});
