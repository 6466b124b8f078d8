// Streaming digests of the bytes we actually handle. Pure: no I/O here, only hashing.
import { createHash, type Hash } from 'node:crypto';

export type DigestAlgorithm = 'sha256' | 'sm3';

export type Digests = { sha256: string; sm3?: string };

/** Several digests fed with the same bytes, in one pass. */
export class MultiDigest {
  private readonly hashes: [DigestAlgorithm, Hash][];

  constructor(algorithms: readonly DigestAlgorithm[]) {
    if (!algorithms.includes('sha256')) throw new Error('sha256 is always computed');
    this.hashes = algorithms.map((a) => [a, createHash(a)]);
  }

  update(bytes: Uint8Array): void {
    for (const [, h] of this.hashes) h.update(bytes);
  }

  digest(): Digests {
    const out: Partial<Digests> = {};
    for (const [a, h] of this.hashes) out[a] = h.digest('hex');
    return out as Digests;
  }
}

export function algorithmsFor(opts: { sm3: boolean }): DigestAlgorithm[] {
  return opts.sm3 ? ['sha256', 'sm3'] : ['sha256'];
}

export function digestsEqual(a: Digests, b: Digests): boolean {
  if (a.sha256 !== b.sha256) return false;
  if (a.sm3 !== undefined && b.sm3 !== undefined && a.sm3 !== b.sm3) return false;
  return true;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
