// Export directories checked offline: a clean export verifies; every tamper names what broke.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/audit/canonical.js';
import { signCheckpoint } from '../src/audit/checkpoint.js';
import { stringify } from 'csv-stringify/sync';
import { EXPORT_FILES, csvRow, verifyExport, writeExport, type ExportEntry } from '../src/audit/export.js';
import { MemoryTreeStore, MerkleTree } from '../src/audit/merkle.js';
import { formatVerifierKey, generateSigner, verifierOf, type Signer } from '../src/audit/note.js';
import { rangeProof } from '../src/audit/range.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'evidock-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const signer = generateSigner('STATION-01');
const tree = new MerkleTree(new MemoryTreeStore());
const entries: ExportEntry[] = [];
function add(n: number) {
  for (let i = 0; i < n; i++) {
    const seq = entries.length;
    const entry = canonicalJson({ seq, at: new Date(Date.UTC(2026, 10, 1, 0, seq)).toISOString(), type: 'file.held', actor: { via: 'daemon', user: 'evidock' }, data: { evidenceNumber: `STATION-01-20261101-${seq}`, note: '=cmd|calc' } });
    const { leafHash } = tree.append(Buffer.from(entry));
    entries.push({ seq, entry, leafHash });
  }
}
let counter = 0;
async function doExport(start: number, end: number, previous?: { note: string; size: number }, s: Signer = signer): Promise<string> {
  const dir = path.join(tmp, `export-${counter++}`);
  const size = tree.size;
  const root = tree.root();
  const note = signCheckpoint({ origin: s.name, size, root }, s);
  await writeExport({
    dir, origin: s.name, start, entries: entries.slice(start, end),
    checkpoint: { note, size, root }, rangeProof: rangeProof(tree, start, end, size),
    previous: previous && { note: previous.note, size: previous.size, root: tree.root(previous.size), proof: tree.consistencyProof(previous.size, size) },
    verifierKey: formatVerifierKey(verifierOf(s)), createdAt: new Date().toISOString(),
  });
  return dir;
}
function editLine(dir: string, file: string, line: number, edit: (s: string) => string) {
  const p = path.join(dir, file);
  chmodSync(p, 0o644);
  const lines = readFileSync(p, 'utf8').split('\n');
  lines[line - 1] = edit(lines[line - 1]);
  writeFileSync(p, lines.join('\n'));
}

add(100);
const first = await doExport(0, 100);
const firstNote = readFileSync(path.join(first, EXPORT_FILES.checkpoint), 'utf8');
add(57);
const second = await doExport(100, 157, { note: firstNote, size: 100 });

describe('log export and offline verify', () => {
  it('a clean export verifies, alone and against the previous one', () => {
    const r1 = verifyExport(first);
    expect(r1.problems).toEqual([]);
    expect(r1.ok).toBe(true);
    const r2 = verifyExport(second, { previousDir: first, keyText: formatVerifierKey(verifierOf(signer)) });
    expect(r2.problems).toEqual([]);
    expect(r2.previous?.consistent).toBe(true);
  });

  it('the inlined CSV writer gives the same bytes as csv-stringify with escape_formulas', () => {
    const rows: (string | number)[][] = [
      [0, '', 'plain', '=SUM(A1)', '+1', '-2', '@x', '\tt', '\rr', 'a,b', 'say "hi"', 'two\nlines', '\uFF1Dfull', '-', "'q", '张三', -5],
      [1, '{"a":"=b","c":[1,2]}', 'daemon:evidock (sudo =root)', ' lead', 'x\r\ny'],
    ];
    for (const r of rows) expect(csvRow(r)).toBe(stringify([r], { escape_formulas: true }));
  });

  it('the exported CSV is byte for byte what csv-stringify writes for the same rows', () => {
    const rows = entries.slice(0, 100).map((e) => {
      const p = JSON.parse(e.entry);
      return [e.seq, p.at, p.type, `${p.actor.via}:${p.actor.user}`, e.leafHash.toString('base64'), e.entry];
    });
    const want = stringify([['seq', 'at', 'type', 'actor', 'leaf_hash', 'entry'], ...rows], { escape_formulas: true });
    expect(readFileSync(path.join(first, EXPORT_FILES.csv), 'utf8')).toBe(want);
  });

  it('CSV has a header and one row per entry', () => {
    const csv = readFileSync(path.join(first, EXPORT_FILES.csv), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('seq,at,type,actor,leaf_hash,entry');
    expect(csv.length).toBe(101);
  });

  it('one line edited: names the entry', async () => {
    const dir = await doExport(0, 157);
    editLine(dir, EXPORT_FILES.entries, 43, (s) => s.replace('20261101-42', '20261101-99'));
    const r = verifyExport(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0].seq).toBe(42);
    expect(r.problems[0].message).toMatch(/entry 42 .*changed/);
  });

  it('a line and its leaf hash edited: the root fails, and --previous names the entry', async () => {
    const dir = await doExport(0, 157, { note: firstNote, size: 100 });
    editLine(dir, EXPORT_FILES.entries, 8, (s) => s.replace('20261101-7"', '20261101-8"'));
    const changed = readFileSync(path.join(dir, EXPORT_FILES.entries), 'utf8').split('\n')[7];
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    editLine(dir, EXPORT_FILES.leaves, 8, () => createHash('sha256').update(Buffer.from([0])).update(changed).digest('base64'));
    const alone = verifyExport(dir);
    expect(alone.ok).toBe(false);
    expect(alone.problems.map((p) => p.message).join('\n')).toMatch(/do not lead to the signed root/);
    const withPrev = verifyExport(dir, { previousDir: first });
    expect(withPrev.problems.find((p) => p.seq !== undefined)?.seq).toBe(7);
  });

  it('an entry removed: named as removed', async () => {
    const dir = await doExport(0, 157);
    const p = path.join(dir, EXPORT_FILES.entries);
    chmodSync(p, 0o644);
    const lines = readFileSync(p, 'utf8').split('\n');
    lines.splice(20, 1);
    writeFileSync(p, lines.join('\n'));
    const r = verifyExport(dir);
    expect(r.ok).toBe(false);
    expect(r.problems.map((x) => x.message).join('\n')).toMatch(/removed/);
    expect(r.problems.find((x) => x.seq !== undefined)?.seq).toBe(20);
  });

  it('a checkpoint signed by another key is refused with --key', async () => {
    const other = generateSigner('STATION-01');
    const dir = await doExport(0, 157, undefined, other);
    expect(verifyExport(dir).ok).toBe(true); // self-consistent with the key it ships...
    const r = verifyExport(dir, { keyText: formatVerifierKey(verifierOf(signer)) });
    expect(r.ok).toBe(false);
    expect(r.problems[0].message).toMatch(/not signed by a trusted key/);
  });

  it('a rewritten log (re-signed) is not consistent with the previous export', async () => {
    // A forger with the key rebuilds the log with entry 5 changed and signs a new checkpoint.
    const forged = new MerkleTree(new MemoryTreeStore());
    const fEntries = entries.map((e) => ({ ...e }));
    fEntries[5].entry = fEntries[5].entry.replace('20261101-5"', '20261101-X"');
    for (const e of fEntries) e.leafHash = forged.append(Buffer.from(e.entry)).leafHash;
    const dir = path.join(tmp, 'forged');
    const note = signCheckpoint({ origin: 'STATION-01', size: forged.size, root: forged.root() }, signer);
    await writeExport({
      dir, origin: 'STATION-01', start: 0, entries: fEntries, checkpoint: { note, size: forged.size, root: forged.root() },
      rangeProof: rangeProof(forged, 0, forged.size), previous: { note: firstNote, size: 100, root: tree.root(100), proof: forged.consistencyProof(100) },
      verifierKey: formatVerifierKey(verifierOf(signer)), createdAt: 'x',
    });
    const alone = verifyExport(dir);
    expect(alone.ok).toBe(false);
    expect(alone.problems.map((p) => p.message).join('\n')).toMatch(/consistency/);
    const r = verifyExport(dir, { previousDir: first });
    expect(r.problems.find((p) => p.seq !== undefined)?.seq).toBe(5);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(/not consistent with the previous export/);
  });

  it('a truncated checkpoint or missing files are reported', async () => {
    const dir = await doExport(0, 10);
    chmodSync(path.join(dir, EXPORT_FILES.checkpoint), 0o644);
    writeFileSync(path.join(dir, EXPORT_FILES.checkpoint), firstNote.slice(0, 40));
    expect(verifyExport(dir).ok).toBe(false);
    rmSync(path.join(dir, EXPORT_FILES.entries), { force: true });
    expect(verifyExport(dir).problems.length).toBeGreaterThan(0);
  });
});
