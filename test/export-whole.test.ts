// Log exports that cannot be quietly cut or edited: manifest.json is mandatory; `log verify` says
// plainly whether a bundle is the whole log up to its checkpoint or a range, and fails one that
// says whole and is not; the manifest's digest is logged (log.exported), so the next export,
// checked with --previous, catches an edited manifest. Real CLI on a real home.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTreeStore, MerkleTree } from '../src/audit/merkle.js';
import { rangeProof } from '../src/audit/range.js';
import { readyHome, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-export-whole-');
afterAll(() => tmp.cleanup());

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
let n = 0;

function exportTo(home: string): string {
  const out = path.join(tmp.dir, `export-${n++}`);
  const r = runCli(['--home', home, 'log', 'export', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

function copyExport(from: string): string {
  const to = path.join(tmp.dir, `copy-${n++}`);
  cpSync(from, to, { recursive: true });
  // the copy keeps the files' modes (0444): writable again, as a tamperer would make them
  for (const f of readdirSync(to)) chmodSync(path.join(to, f), 0o644);
  return to;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const writeLines = (file: string, ls: string[]) => writeFileSync(file, ls.map((l) => l + '\n').join(''));

/** Drop the last `k` entries of an export and recompute its range proof and manifest digests, as a careful tamperer would. */
function dropLast(dir: string, k: number, whole: boolean): void {
  const leaves = lines(path.join(dir, 'leaf-hashes.txt')).map((l) => Buffer.from(l, 'base64'));
  const tree = new MerkleTree(new MemoryTreeStore());
  for (const h of leaves) tree.appendLeafHash(h);
  const rp = JSON.parse(readFileSync(path.join(dir, 'range-proof.json'), 'utf8'));
  const end = rp.end - k;
  writeFileSync(path.join(dir, 'range-proof.json'), JSON.stringify({ start: rp.start, end, size: rp.size, proof: rangeProof(tree, rp.start, end, rp.size).map((h) => h.toString('base64')) }, null, 1) + '\n');
  writeLines(path.join(dir, 'entries.jsonl'), lines(path.join(dir, 'entries.jsonl')).slice(0, end));
  writeLines(path.join(dir, 'leaf-hashes.txt'), lines(path.join(dir, 'leaf-hashes.txt')).slice(0, end));
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.end = end;
  manifest.whole = whole;
  for (const f of ['entries.jsonl', 'leaf-hashes.txt', 'range-proof.json']) manifest.sha256[f] = sha256(readFileSync(path.join(dir, f)));
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
}

describe('log export: whole or range, manifest mandatory and logged', () => {
  let home: string;
  let first: string;
  beforeAll(() => {
    home = readyHome(path.join(tmp.dir, 'home'), ['7654321']);
    first = exportTo(home);
  });

  it('a clean whole export says so plainly', () => {
    const r = runCli(['log', 'verify', first]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/verifies: the whole log up to its checkpoint, entries 0\.\.(\d+) of a log of \1\n$/);
  });

  it('manifest.json deleted: does not verify', () => {
    const dir = copyExport(first);
    rmSync(path.join(dir, 'manifest.json'));
    const r = runCli(['log', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('BROKEN  manifest.json is missing');
  });

  it('the last entries dropped with a recomputed range proof, still saying whole: fails', () => {
    const dir = copyExport(first);
    dropLast(dir, 2, true);
    const r = runCli(['log', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN  manifest\.json says this is the whole log up to its checkpoint \(size \d+\), but it holds entries 0\.\.\d+: entries were dropped/);
  });

  it('dropped and relabelled a range, or entries.csv edited with the manifest fixed: the next export with --previous names the edited manifest', () => {
    const cut = copyExport(first);
    dropLast(cut, 2, false);
    const alone = runCli(['log', 'verify', cut]);
    expect(alone.stdout).toMatch(/NOT the whole log/);
    const csv = copyExport(first);
    writeFileSync(path.join(csv, 'entries.csv'), readFileSync(path.join(csv, 'entries.csv'), 'utf8').replace(/file\.held/, 'file.hidden'));
    const manifest = JSON.parse(readFileSync(path.join(csv, 'manifest.json'), 'utf8'));
    manifest.sha256['entries.csv'] = sha256(readFileSync(path.join(csv, 'entries.csv')));
    writeFileSync(path.join(csv, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    expect(runCli(['log', 'verify', csv]).code).toBe(0); // alone, nothing to compare the manifest with
    const next = exportTo(home);
    expect(runCli(['log', 'verify', next, '--previous', first]).code).toBe(0);
    for (const tampered of [cut, csv]) {
      const r = runCli(['log', 'verify', next, '--previous', tampered]);
      expect(r.code, tampered).toBe(1);
      expect(r.stdout).toMatch(/BROKEN  the previous export's manifest\.json is not the one logged when it was made \(entry \d+\): it was edited/);
    }
  });

  it('a range export says plainly that it is not the whole log', () => {
    const range = path.join(tmp.dir, 'range');
    expect(runCli(['--home', home, 'log', 'export', '--out', range, '--from', '2000-01-01', '--to', '2000-01-02']).code).toBe(0);
    expect(runCli(['log', 'verify', range]).stdout).toMatch(/verifies: a range, entries \d+\.\.\d+ of a log of \d+: NOT the whole log/);
  });
});
