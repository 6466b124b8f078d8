// The audit log rebuilt from the journal, and compared with the catalog's copy. The signed
// checkpoint files arbitrate: when the catalog and the journal disagree, whichever no longer
// reaches a signed root is the one that was changed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { isCanonicalJson } from './canonical.js';
import { openCheckpoint } from './checkpoint.js';
import { readJournal } from './journal.js';
import { claimedSize } from './key-history.js';
import { leafHash, MemoryTreeStore, MerkleTree } from './merkle.js';
import type { Verifier } from './note.js';
import { catchUpTree } from './tree-store.js';

type Db = Database.Database;

export interface JournalEntry {
  seq: number;
  at: string;
  type: string;
  entry: string;
  file: string;
  line: number;
}

export interface JournalProblem {
  file: string;
  line?: number;
  seq?: number;
  problem: string;
}

/** Read the journal, checking that it is the log in order: seq 0, 1, 2, ... canonical lines. */
export function loadJournal(dir: string): { entries: JournalEntry[]; problems: JournalProblem[] } {
  const entries: JournalEntry[] = [];
  const problems: JournalProblem[] = [];
  let expect = 0;
  for (const l of readJournal(dir)) {
    let parsed: { seq?: unknown; at?: unknown; type?: unknown };
    try {
      parsed = JSON.parse(l.text);
    } catch {
      problems.push({ file: l.file, line: l.line, problem: 'not JSON' });
      continue;
    }
    if (!isCanonicalJson(l.text)) problems.push({ file: l.file, line: l.line, seq: parsed.seq as number, problem: 'not canonical JSON (re-serialised or edited)' });
    if (typeof parsed.seq !== 'number') {
      problems.push({ file: l.file, line: l.line, problem: 'entry has no seq' });
      continue;
    }
    if (parsed.seq !== expect) {
      problems.push({
        file: l.file, line: l.line, seq: expect,
        problem: parsed.seq > expect ? `entries ${expect}..${parsed.seq - 1} are missing from the journal (removed?)` : `entry ${parsed.seq} appears again or out of order`,
      });
      if (parsed.seq < expect) continue;
    }
    expect = parsed.seq + 1;
    entries.push({ seq: parsed.seq, at: String(parsed.at), type: String(parsed.type), entry: l.text, file: l.file, line: l.line });
  }
  return { entries, problems };
}

/** Write journal entries into an empty catalog's audit_entries and tree. Gaps stop the import. */
export function insertJournalEntries(db: Db, entries: JournalEntry[]): number {
  const ins = db.prepare('INSERT INTO audit_entries (seq, at, type, entry, leaf_hash) VALUES (?, ?, ?, ?, ?)');
  let n = 0;
  db.transaction(() => {
    for (const e of entries) {
      if (e.seq !== n) break;
      ins.run(e.seq, e.at, e.type, e.entry, leafHash(Buffer.from(e.entry, 'utf8')));
      n++;
    }
    catchUpTree(db);
  })();
  return n;
}

export interface SignedHead {
  file: string;
  size: number;
  root: Buffer;
  note: string;
}

/** A key, or the key that signs a checkpoint of a given size (the station key's history). */
export type KeyAtSize = Verifier | ((size: number) => Verifier);

/** The key for a checkpoint note: chosen by the size it claims, then its signature is checked with it. */
export function keyForNote(keys: KeyAtSize, note: string | Buffer): Verifier {
  return typeof keys === 'function' ? keys(claimedSize(note) ?? 0) : keys;
}

/** The signed checkpoint files under <home>/checkpoints that verify with the station key current at their size. */
export function readCheckpointFiles(dir: string, verifier: KeyAtSize): { heads: SignedHead[]; problems: JournalProblem[] } {
  const heads: SignedHead[] = [];
  const problems: JournalProblem[] = [];
  if (!existsSync(dir)) return { heads, problems };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.checkpoint')).sort()) {
    try {
      const note = readFileSync(path.join(dir, name), 'utf8');
      const c = openCheckpoint(note, keyForNote(verifier, note));
      heads.push({ file: name, size: c.size, root: c.root, note });
    } catch (err) {
      problems.push({ file: `checkpoints/${name}`, problem: (err as Error).message });
    }
  }
  return { heads, problems };
}

export interface EntryDifference {
  seq: number;
  problem: string;
  catalog?: string;
  journal?: string;
}

export interface LogComparison {
  differences: EntryDifference[];
  /** For each signed head: does each side reach it? */
  heads: { file: string; size: number; catalog: boolean | null; journal: boolean | null }[];
}

/** Compare the catalog's entries (and its stored tree) with the journal's, and both with the signed heads. */
export function compareLog(live: Db, journal: JournalEntry[], heads: SignedHead[], limit = 50): LogComparison {
  const differences: EntryDifference[] = [];
  const rows = live.prepare('SELECT e.seq, e.entry, e.leaf_hash, t.hash AS tree_leaf FROM audit_entries e LEFT JOIN audit_tree t ON t.level = 0 AND t.idx = e.seq ORDER BY e.seq').all() as {
    seq: number; entry: string; leaf_hash: Buffer; tree_leaf: Buffer | null;
  }[];
  const catalogTree = new MerkleTree(new MemoryTreeStore());
  const journalTree = new MerkleTree(new MemoryTreeStore());
  const jBySeq = new Map(journal.map((j) => [j.seq, j]));
  let jumped = false;
  for (const r of rows) {
    const h = leafHash(Buffer.from(r.entry, 'utf8'));
    if (r.seq !== catalogTree.size && !jumped) {
      jumped = true;
      differences.push({ seq: catalogTree.size, problem: `catalog entries jump from ${catalogTree.size - 1} to ${r.seq}: entries were deleted` });
    }
    catalogTree.appendLeafHash(h);
    if (differences.length >= limit) continue;
    if (!r.leaf_hash.equals(h)) differences.push({ seq: r.seq, problem: 'catalog entry text does not match its stored leaf hash (edited behind the triggers)' });
    else if (r.tree_leaf && !r.tree_leaf.equals(h)) differences.push({ seq: r.seq, problem: 'catalog entry does not match the stored Merkle tree leaf' });
    const j = jBySeq.get(r.seq);
    if (!j) differences.push({ seq: r.seq, problem: 'in the catalog but not in the journal' });
    else if (j.entry !== r.entry) differences.push({ seq: r.seq, problem: 'catalog entry differs from the journal', catalog: r.entry, journal: j.entry });
  }
  const liveSeqs = new Set(rows.map((r) => r.seq));
  for (const j of journal) {
    if (!liveSeqs.has(j.seq) && differences.length < limit) differences.push({ seq: j.seq, problem: 'in the journal but not in the catalog', journal: j.entry });
  }
  let contiguous = 0;
  for (const j of journal) {
    if (j.seq !== contiguous) break;
    journalTree.append(Buffer.from(j.entry, 'utf8'));
    contiguous++;
  }
  const heads2 = heads.map((h) => ({
    file: h.file,
    size: h.size,
    catalog: h.size <= catalogTree.size ? catalogTree.root(h.size).equals(h.root) : null,
    journal: h.size <= journalTree.size ? journalTree.root(h.size).equals(h.root) : null,
  }));
  return { differences, heads: heads2 };
}

/** Rebuild audit_checkpoints from the checkpoint files (name: <size>-<yyyymmddThhmmssZ>-<reason>.checkpoint). */
export function insertCheckpointFiles(db: Db, dir: string, verifier: KeyAtSize): number {
  const { heads } = readCheckpointFiles(dir, verifier);
  const ins = db.prepare('INSERT INTO audit_checkpoints (size, root, note, reason, created_at, file) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const h of heads) {
      const m = /^\d+-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([a-z]+)/.exec(h.file);
      const created = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : '';
      ins.run(h.size, h.root, h.note, m ? m[7] : 'unknown', created, path.join('checkpoints', h.file));
    }
  })();
  return heads.length;
}

/** Rebuild audit_exports from the log.exported entries and the export checkpoints they name. */
export function insertExportsFromLog(db: Db): number {
  const rows = db
    .prepare(`SELECT at, json_extract(entry, '$.data') AS data FROM audit_entries WHERE type = 'log.exported' ORDER BY seq`)
    .all() as { at: string; data: string }[];
  const find = db.prepare(`SELECT id FROM audit_checkpoints WHERE reason = 'export' AND size = ? AND root = ? ORDER BY id LIMIT 1`).pluck();
  const ins = db.prepare('INSERT INTO audit_exports (checkpoint_id, start_seq, end_seq, dir, created_at) VALUES (?, ?, ?, ?, ?)');
  let n = 0;
  db.transaction(() => {
    for (const r of rows) {
      const d = JSON.parse(r.data ?? 'null') as { size?: number; root?: string; start?: number; end?: number; out?: string } | null;
      if (!d || typeof d.size !== 'number' || typeof d.root !== 'string') continue; // a plain CSV/JSONL export
      const id = find.get(d.size, Buffer.from(d.root, 'base64')) as number | undefined;
      if (id === undefined) continue;
      ins.run(id, d.start ?? 0, d.end ?? d.size, d.out ?? '', r.at);
      n++;
    }
  })();
  return n;
}
