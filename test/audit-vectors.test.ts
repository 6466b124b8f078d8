// Every RFC 6962 / RFC 9162 vector of transparency-dev/merkle (copied in test/data/rfc6962):
// valid proofs accepted, every wantErr rejected.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isValidConsistency, isValidInclusion } from '../src/audit/merkle.js';

const root = path.join(import.meta.dirname, 'data', 'rfc6962');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string) => Buffer.from(s, 'base64');
const rel = (p: string) => path.relative(root, p);

interface InclusionVector { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

const inclusion = walk(path.join(root, 'inclusion')).map((f) => [rel(f), JSON.parse(readFileSync(f, 'utf8')) as InclusionVector] as const);
const consistency = walk(path.join(root, 'consistency')).map((f) => [rel(f), JSON.parse(readFileSync(f, 'utf8')) as ConsistencyVector] as const);

describe('RFC 6962 inclusion vectors', () => {
  it('are all present', () => {
    expect(inclusion.length).toBe(98);
    expect(inclusion.filter(([, v]) => !v.wantErr).length).toBeGreaterThanOrEqual(6);
  });
  it.each(inclusion)('%s', (_name, v) => {
    const ok = isValidInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    expect(ok).toBe(!v.wantErr);
  });
});

describe('RFC 6962 consistency vectors', () => {
  it('are all present', () => {
    expect(consistency.length).toBe(98);
  });
  it.each(consistency)('%s', (_name, v) => {
    const ok = isValidConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
    expect(ok).toBe(!v.wantErr);
  });
});
