// Append entries to the tamper-evident audit log. Called inside the catalog transaction that
// records the fact, so an entry exists exactly when its fact does. Each append also adds the
// entry's leaf to the stored Merkle tree (audit_tree) in the same transaction; after the commit
// the entry is copied to the day's journal file (journal.ts) when the catalog has a home
// attached (attachAuditHome). Checkpoints, proofs and exports build on these (see DESIGN.md §4).
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Json } from '../lib/json.js';
import { canonicalJson as canonical } from './canonical.js';
import { leafHash as rfcLeafHash } from './merkle.js';
import { syncJournal } from './journal.js';
import { auditTree, catchUpTree } from './tree-store.js';

type Db = Database.Database;

/**
 * Canonical JSON (canonical.ts): keys sorted, no whitespace, UTF-8; undefined members dropped;
 * NaN/Infinity and unsafe integers refused. Finite non-integers are allowed here because entry
 * data carries measurements (seconds); the identity fields (seq, at, type, actor) are checked by
 * appendAuditEntry.
 */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined) return 'null';
  return canonical(value, { allowFloats: true });
}

/** RFC 6962 leaf hash: SHA-256(0x00 || entry). */
export function leafHash(entry: string | Buffer): Buffer {
  return rfcLeafHash(typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry);
}

export interface Actor {
  /** 'daemon' for the service, 'cli' for a command someone ran. */
  via: 'daemon' | 'cli';
  user: string;
  sudoUser?: string;
}

export function currentActor(via: Actor['via']): Actor {
  let user = process.env.USER ?? '';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (containers): keep $USER */
  }
  return { via, user, sudoUser: process.env.SUDO_USER || undefined };
}

export interface AuditEvent {
  type: string;
  data: { [key: string]: Json | undefined };
  actor: Actor;
  at?: Date;
}

export interface AppendedEntry {
  seq: number;
  at: string;
  entry: string;
  leafHash: Buffer;
}

// ---------------------------------------------------------------------------------------------
// Home attachment: where the journal goes for a given catalog handle.

interface Attachment {
  journalDir: string;
  scheduled: boolean;
  onError?: (err: unknown) => void;
}

const attached = new WeakMap<Db, Attachment>();

/** Tell the audit log where this catalog's home is, so entries reach the journal after commit. */
export function attachAuditHome(db: Db, homeDir: string, opts: { onError?: (err: unknown) => void } = {}): void {
  attached.set(db, { journalDir: journalDir(homeDir), scheduled: false, onError: opts.onError });
  if (db.open && !db.readonly) {
    catchUpTree(db);
    try {
      flushAuditJournal(db); // entries committed while no one journaled them (crash, older version)
    } catch (err) {
      if (opts.onError) opts.onError(err);
      else process.emitWarning(`evidock: audit journal not written: ${(err as Error).message}`);
    }
  }
}

export function journalDir(homeDir: string): string {
  return path.join(homeDir, 'journal');
}

/** Write committed entries to the journal now (also done automatically after each append). */
export function flushAuditJournal(db: Db): void {
  const a = attached.get(db);
  if (!a || !db.open || db.inTransaction) return;
  a.scheduled = false;
  syncJournal(db, a.journalDir);
}

function scheduleJournal(db: Db): void {
  const a = attached.get(db);
  if (!a || a.scheduled) return;
  a.scheduled = true;
  setImmediate(() => {
    if (!a.scheduled) return;
    try {
      flushAuditJournal(db);
    } catch (err) {
      a.scheduled = false;
      if (a.onError) a.onError(err);
      else process.emitWarning(`evidock: audit journal not written: ${(err as Error).message}`);
    }
  });
}

/** Flush the journal and forget the home; call before closing the catalog. */
export function detachAuditHome(db: Db): void {
  try {
    flushAuditJournal(db);
  } finally {
    attached.delete(db);
  }
}

// ---------------------------------------------------------------------------------------------

interface Statements {
  maxSeq: Database.Statement;
  insert: Database.Statement;
}
const statements = new WeakMap<Db, Statements>();
function stmts(db: Db): Statements {
  let s = statements.get(db);
  if (!s) {
    s = {
      maxSeq: db.prepare('SELECT MAX(seq) AS seq FROM audit_entries'),
      insert: db.prepare('INSERT INTO audit_entries (seq, at, type, entry, leaf_hash) VALUES (?, ?, ?, ?, ?)'),
    };
    statements.set(db, s);
  }
  return s;
}

/** Append one entry; must run inside the caller's transaction for the fact it records. */
export function appendAuditEntry(db: Db, event: AuditEvent): AppendedEntry {
  const st = stmts(db);
  const last = st.maxSeq.get() as { seq: number | null };
  const seq = last.seq === null ? 0 : last.seq + 1;
  const at = (event.at ?? new Date()).toISOString();
  if (!/^[a-z][a-z0-9._-]*$/.test(event.type)) throw new Error(`audit entry type ${JSON.stringify(event.type)} must be lowercase words joined by dots`);
  const entry = canonicalJson({
    seq,
    at,
    type: event.type,
    actor: { via: event.actor.via, user: event.actor.user, sudoUser: event.actor.sudoUser },
    data: event.data,
  });
  const hash = leafHash(entry);
  st.insert.run(seq, at, event.type, entry, hash);
  let tree = auditTree(db);
  if (tree.size !== seq) tree = catchUpTree(db); // the entry just inserted is appended too
  else tree.appendLeafHash(hash);
  if (tree.size !== seq + 1) throw new Error(`audit tree has ${tree.size} leaves for ${seq + 1} entries`);
  scheduleJournal(db);
  return { seq, at, entry, leafHash: hash };
}

export interface StoredEntry {
  seq: number;
  at: string;
  type: string;
  entry: string;
}

/** Entries in order, optionally within [from, to) by time. */
export function* iterateAuditEntries(db: Db, range: { from?: string; to?: string } = {}): Generator<StoredEntry> {
  const where: string[] = [];
  const args: string[] = [];
  if (range.from) {
    where.push('at >= ?');
    args.push(range.from);
  }
  if (range.to) {
    where.push('at < ?');
    args.push(range.to);
  }
  const sql = `SELECT seq, at, type, entry FROM audit_entries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq`;
  yield* db.prepare(sql).iterate(...args) as Iterable<StoredEntry>;
}
