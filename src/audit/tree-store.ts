// The Merkle tree's perfect-subtree hashes in the catalog (table audit_tree, migration 30).
import type Database from 'better-sqlite3';
import { MerkleTree, type TreeStore } from './merkle.js';

type Db = Database.Database;

export class SqliteTreeStore implements TreeStore {
  private readonly getStmt: Database.Statement;
  private readonly putStmt: Database.Statement;
  readonly sizeStmt: Database.Statement;
  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT hash FROM audit_tree WHERE level = ? AND idx = ?').pluck();
    this.putStmt = db.prepare('INSERT INTO audit_tree (level, idx, hash) VALUES (?, ?, ?)');
    this.sizeStmt = db.prepare('SELECT MAX(idx) AS m FROM audit_tree WHERE level = 0');
  }
  get(level: number, index: number): Buffer | undefined {
    return this.getStmt.get(level, index) as Buffer | undefined;
  }
  put(level: number, index: number, hash: Buffer): void {
    this.putStmt.run(level, index, hash);
  }
}

const stores = new WeakMap<Db, SqliteTreeStore>();

function storeOf(db: Db): SqliteTreeStore {
  let s = stores.get(db);
  if (!s) stores.set(db, (s = new SqliteTreeStore(db)));
  return s;
}

/** Number of leaves in the stored tree. */
export function treeSize(db: Db): number {
  const row = storeOf(db).sizeStmt.get() as { m: number | null };
  return row.m === null ? 0 : row.m + 1;
}

/** The audit log's Merkle tree as stored in the catalog (size = leaves stored). */
export function auditTree(db: Db, size = treeSize(db)): MerkleTree {
  return new MerkleTree(storeOf(db), size);
}

/**
 * Bring the stored tree up to the entries: append the leaf hashes of entries the tree does not
 * have yet (entries written before migration 30, or by a version without the tree). Returns the
 * tree at the number of entries.
 */
export function catchUpTree(db: Db): MerkleTree {
  const tree = auditTree(db);
  const rows = db.prepare('SELECT seq, leaf_hash FROM audit_entries WHERE seq >= ? ORDER BY seq').all(tree.size) as { seq: number; leaf_hash: Buffer }[];
  for (const r of rows) {
    if (r.seq !== tree.size) throw new Error(`audit entries have a gap: expected seq ${tree.size}, found ${r.seq}`);
    tree.appendLeafHash(r.leaf_hash);
  }
  return tree;
}
