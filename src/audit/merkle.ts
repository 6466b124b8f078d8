// RFC 6962 / RFC 9162 Merkle tree: hashing, a tree over a store of perfect-subtree hashes, and
// inclusion and consistency proofs with their verifiers.
//
// Storage: the hash of every perfect subtree (level, index) — leaves at level 0, the subtree of
// 2^level leaves starting at leaf index*2^level at (level, index) — is written once, when its last
// leaf is appended. Appending costs one leaf hash plus one node hash per completed level (amortised
// 2 hashes); the root at any size n, an inclusion proof and a consistency proof each read
// O(log n) stored hashes and compute O(log n) more. Nothing is ever rebuilt.
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** Where the perfect-subtree hashes live: an in-memory map for pure code, SQLite in the catalog. */
export interface TreeStore {
  get(level: number, index: number): Buffer | undefined;
  put(level: number, index: number, hash: Buffer): void;
}

/** TreeStore in memory: one array per level. */
export class MemoryTreeStore implements TreeStore {
  private readonly levels: Buffer[][] = [];
  get(level: number, index: number): Buffer | undefined {
    return this.levels[level]?.[index];
  }
  put(level: number, index: number, hash: Buffer): void {
    (this.levels[level] ??= [])[index] = hash;
  }
}

export class MerkleError extends Error {
  override name = 'MerkleError';
}

/** Largest power of two strictly less than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isSafeInteger(n) && 2 ** Math.floor(Math.log2(n)) === n;
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new MerkleError(`${what} must be a non-negative integer, got ${n}`);
}

/**
 * A Merkle tree over a TreeStore. `size` is the number of leaves already in the store; the tree
 * does not count them itself, so the owner (the catalog) says how many there are.
 */
export class MerkleTree {
  constructor(
    private readonly store: TreeStore,
    private _size = 0,
  ) {
    checkSize(_size, 'size');
  }

  get size(): number {
    return this._size;
  }

  /** Append a leaf by its hash; returns its index. Writes the leaf and every completed subtree. */
  appendLeafHash(hash: Buffer): number {
    if (hash.length !== HASH_SIZE) throw new MerkleError(`leaf hash must be ${HASH_SIZE} bytes`);
    const index = this._size;
    this.store.put(0, index, hash);
    let level = 0;
    let idx = index;
    let h = hash;
    while (idx % 2 === 1) {
      const left = this.store.get(level, idx - 1);
      if (!left) throw new MerkleError(`tree store is missing the node at level ${level}, index ${idx - 1}`);
      h = nodeHash(left, h);
      level += 1;
      idx = (idx - 1) / 2;
      this.store.put(level, idx, h);
    }
    this._size = index + 1;
    return index;
  }

  /** Append an entry's bytes; returns its index and leaf hash. */
  append(entry: Uint8Array): { index: number; leafHash: Buffer } {
    const h = leafHash(entry);
    return { index: this.appendLeafHash(h), leafHash: h };
  }

  leafHashAt(index: number): Buffer {
    return this.stored(0, index);
  }

  private stored(level: number, index: number): Buffer {
    const h = this.store.get(level, index);
    if (!h) throw new MerkleError(`tree store is missing the node at level ${level}, index ${index}`);
    return h;
  }

  /**
   * MTH(D[start:end]) for a range RFC 6962 recursion produces: start is a multiple of the largest
   * power of two below (end - start) (or of end - start itself when that is a power of two). The
   * range splits into aligned perfect subtrees by the bits of its length; they fold right to left.
   */
  rangeHash(start: number, end: number): Buffer {
    if (end > this._size) throw new MerkleError(`range end ${end} beyond tree size ${this._size}`);
    if (end <= start) throw new MerkleError(`empty range ${start}..${end}`);
    const parts: Buffer[] = [];
    let at = start;
    let remaining = end - start;
    while (remaining > 0) {
      const level = Math.floor(Math.log2(remaining));
      const width = 2 ** level;
      if (at % width !== 0) throw new MerkleError(`range ${start}..${end} is not a subtree of the RFC 6962 tree`);
      parts.push(this.stored(level, at / width));
      at += width;
      remaining -= width;
    }
    let h = parts[parts.length - 1];
    for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(parts[i], h);
    return h;
  }

  /** Root hash of the first n leaves (default: all). */
  root(n = this._size): Buffer {
    checkSize(n, 'tree size');
    if (n > this._size) throw new MerkleError(`tree size ${n} beyond the ${this._size} leaves held`);
    if (n === 0) return Buffer.from(EMPTY_ROOT);
    return this.rangeHash(0, n);
  }

  /** Audit path for leaf `index` in the tree of size n (RFC 6962 §2.1.1 PATH), leaf to root. */
  inclusionProof(index: number, n = this._size): Buffer[] {
    checkSize(n, 'tree size');
    checkSize(index, 'leaf index');
    if (n > this._size) throw new MerkleError(`tree size ${n} beyond the ${this._size} leaves held`);
    if (index >= n) throw new MerkleError(`leaf index ${index} is not in a tree of size ${n}`);
    const topDown: Buffer[] = [];
    let lo = 0;
    let hi = n;
    while (hi - lo > 1) {
      const k = splitPoint(hi - lo);
      if (index < lo + k) {
        topDown.push(this.rangeHash(lo + k, hi));
        hi = lo + k;
      } else {
        topDown.push(this.rangeHash(lo, lo + k));
        lo = lo + k;
      }
    }
    return topDown.reverse();
  }

  /** Consistency proof between sizes m and n, 0 < m <= n (RFC 6962 §2.1.2 PROOF). */
  consistencyProof(m: number, n = this._size): Buffer[] {
    checkSize(m, 'first size');
    checkSize(n, 'second size');
    if (n > this._size) throw new MerkleError(`tree size ${n} beyond the ${this._size} leaves held`);
    if (m === 0 || m > n) throw new MerkleError(`consistency proof needs 0 < first size <= second size, got ${m}, ${n}`);
    const topDown: Buffer[] = [];
    let lo = 0;
    let hi = n;
    let mm = m;
    let complete = true; // SUBPROOF's b: is [lo, lo+mm) the whole old tree seen so far
    while (mm !== hi - lo) {
      const k = splitPoint(hi - lo);
      if (mm <= k) {
        topDown.push(this.rangeHash(lo + k, hi));
        hi = lo + k;
      } else {
        topDown.push(this.rangeHash(lo, lo + k));
        lo = lo + k;
        mm -= k;
        complete = false;
      }
    }
    if (!complete) topDown.push(this.rangeHash(lo, hi));
    return topDown.reverse();
  }
}

/** Root of a list of entries, computed from scratch (for tests and for small exports). */
export function rootOfEntries(entries: Iterable<Uint8Array>): Buffer {
  const t = new MerkleTree(new MemoryTreeStore());
  for (const e of entries) t.append(e);
  return t.root();
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2), strict about sizes and lengths.

export class ProofError extends Error {
  override name = 'ProofError';
}

function checkNodes(proof: readonly Uint8Array[], what: string): void {
  proof.forEach((p, i) => {
    if (p.length !== HASH_SIZE) throw new ProofError(`${what}[${i}] is ${p.length} bytes, not ${HASH_SIZE}`);
  });
}

function checkProofSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new ProofError(`${what} must be a non-negative integer below 2^53, got ${n}`);
}

/** The root an inclusion proof leads to; throws ProofError if the proof's shape is wrong. */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer {
  checkProofSize(index, 'leaf index');
  checkProofSize(size, 'tree size');
  if (index >= size) throw new ProofError(`leaf index ${index} is not below tree size ${size}`);
  if (leaf.length !== HASH_SIZE) throw new ProofError(`leaf hash is ${leaf.length} bytes, not ${HASH_SIZE}`);
  checkNodes(proof, 'proof');
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw new ProofError('proof has more nodes than the path to the root');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofError('proof has fewer nodes than the path to the root');
  return r;
}

/** Throws ProofError unless `proof` shows leaf `leaf` at `index` in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  const r = rootFromInclusionProof(index, size, leaf, proof);
  if (!r.equals(root)) throw new ProofError('inclusion proof leads to a different root');
}

/** Throws ProofError unless `proof` shows the tree (size1, root1) is a prefix of (size2, root2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkProofSize(size1, 'first size');
  checkProofSize(size2, 'second size');
  if (size1 === 0) throw new ProofError('consistency from an empty tree proves nothing (first size is 0)');
  if (size2 < size1) throw new ProofError(`second size ${size2} is below first size ${size1}`);
  checkNodes(proof, 'proof');
  if (size1 === size2) {
    if (proof.length !== 0) throw new ProofError('equal sizes need an empty proof');
    if (!Buffer.from(root1).equals(Buffer.from(root2))) throw new ProofError('equal sizes but different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('empty consistency proof for different sizes');
  const path: Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) throw new ProofError('proof has more nodes than needed');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofError('proof has fewer nodes than needed');
  if (!fr.equals(root1)) throw new ProofError('consistency proof does not lead to the first root');
  if (!sr.equals(root2)) throw new ProofError('consistency proof does not lead to the second root');
}

/** Boolean forms, for callers that only need yes or no. */
export function isValidInclusion(...args: Parameters<typeof verifyInclusion>): boolean {
  try {
    verifyInclusion(...args);
    return true;
  } catch (e) {
    if (e instanceof ProofError) return false;
    throw e;
  }
}

export function isValidConsistency(...args: Parameters<typeof verifyConsistency>): boolean {
  try {
    verifyConsistency(...args);
    return true;
  } catch (e) {
    if (e instanceof ProofError) return false;
    throw e;
  }
}
