// Append entries to the tamper-evident audit log. Called inside the catalog transaction that
// records the fact, so an entry exists exactly when its fact does. Each append also adds the
// entry's leaf to the stored Merkle tree (audit_tree) in the same transaction; after the commit
// the entry is copied to the day's journal file (journal.ts) when the catalog has a home
// attached. One AuditLog object per catalog handle holds all of this; appendAuditEntry and the
// other functions are thin calls on it. Checkpoints, proofs and exports build on these (§4).
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
  /**
   * 'daemon' for the service, 'cli' for a command someone ran, 'socket' for a read by someone who
   * cannot write the home, logged by the daemon with the uid proven on its socket (src/daemon/read-socket.ts).
   */
  via: 'daemon' | 'cli' | 'socket';
  /** The name of the process's real uid (from the passwd database, never from the environment). */
  user: string;
  /** The process's real uid (the kernel's word, not a claim). */
  uid?: number;
  /** $SUDO_USER: only a claim (anyone can set it), recorded beside the real uid. */
  sudoUser?: string;
}

export function currentActor(via: Actor['via']): Actor {
  const uid = process.getuid?.();
  let user = uid === undefined ? 'unknown' : `uid ${uid}`;
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (containers): the uid stands for the name */
  }
  return { via, user, uid, sudoUser: process.env.SUDO_USER || undefined };
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

export function journalDir(homeDir: string): string {
  return path.join(homeDir, 'journal');
}

interface JournalAttachment {
  dir: string;
  scheduled: boolean;
  onError?: (err: unknown) => void;
}

/**
 * The audit log of one catalog handle: its prepared statements, its stored Merkle tree
 * (tree-store.ts) and, once a home is attached, its journal. One object per handle (AuditLog.of).
 */
export class AuditLog {
  private static readonly byHandle = new WeakMap<Db, AuditLog>();

  /** The audit log of `db`, made on first use. */
  static of(db: Db): AuditLog {
    let log = AuditLog.byHandle.get(db);
    if (!log) {
      log = new AuditLog(db);
      AuditLog.byHandle.set(db, log);
    }
    return log;
  }

  private statements?: { maxSeq: Database.Statement; insert: Database.Statement };
  private journal?: JournalAttachment;

  private constructor(readonly db: Db) {}

  /**
   * Copy entries to the journal folder after each commit; first catch up the tree and the
   * journal with entries committed while no one journaled them (crash, older version).
   */
  attachJournal(dir: string, opts: { onError?: (err: unknown) => void } = {}): void {
    this.journal = { dir, scheduled: false, onError: opts.onError };
    if (this.db.open && !this.db.readonly) {
      catchUpTree(this.db);
      try {
        this.flushJournal();
      } catch (err) {
        this.reportJournalError(err);
      }
    }
  }

  /** Flush the journal and stop journaling; call before closing the catalog. */
  detachJournal(): void {
    try {
      this.flushJournal();
    } finally {
      this.journal = undefined;
    }
  }

  /** Write committed entries to the journal now (also done automatically after each append). */
  flushJournal(): void {
    const j = this.journal;
    if (!j || !this.db.open || this.db.inTransaction) return;
    j.scheduled = false;
    syncJournal(this.db, j.dir);
  }

  /** Append one entry; must run inside the caller's transaction for the fact it records. */
  append(event: AuditEvent): AppendedEntry {
    const st = (this.statements ??= {
      maxSeq: this.db.prepare('SELECT MAX(seq) AS seq FROM audit_entries'),
      insert: this.db.prepare('INSERT INTO audit_entries (seq, at, type, entry, leaf_hash) VALUES (?, ?, ?, ?, ?)'),
    });
    const last = st.maxSeq.get() as { seq: number | null };
    const seq = last.seq === null ? 0 : last.seq + 1;
    const at = (event.at ?? new Date()).toISOString();
    if (!/^[a-z][a-z0-9._-]*$/.test(event.type)) throw new Error(`audit entry type ${JSON.stringify(event.type)} must be lowercase words joined by dots`);
    const entry = canonicalJson({
      seq,
      at,
      type: event.type,
      actor: { via: event.actor.via, user: event.actor.user, uid: event.actor.uid, sudoUser: event.actor.sudoUser },
      data: event.data,
    });
    const hash = leafHash(entry);
    st.insert.run(seq, at, event.type, entry, hash);
    let tree = auditTree(this.db);
    if (tree.size !== seq) tree = catchUpTree(this.db); // the entry just inserted is appended too
    else tree.appendLeafHash(hash);
    if (tree.size !== seq + 1) throw new Error(`audit tree has ${tree.size} leaves for ${seq + 1} entries`);
    this.scheduleJournal();
    return { seq, at, entry, leafHash: hash };
  }

  private scheduleJournal(): void {
    const j = this.journal;
    if (!j || j.scheduled) return;
    j.scheduled = true;
    setImmediate(() => {
      if (!j.scheduled) return;
      try {
        this.flushJournal();
      } catch (err) {
        j.scheduled = false;
        this.reportJournalError(err);
      }
    });
  }

  private reportJournalError(err: unknown): void {
    if (this.journal?.onError) this.journal.onError(err);
    else process.emitWarning(`evidock: audit journal not written: ${(err as Error).message}`);
  }
}

// Thin functions over AuditLog.of(db), the names every room calls.

/** Append one entry; must run inside the caller's transaction for the fact it records. */
export function appendAuditEntry(db: Db, event: AuditEvent): AppendedEntry {
  return AuditLog.of(db).append(event);
}

/** Tell the audit log where this catalog's home is, so entries reach <home>/journal after commit. */
export function attachAuditHome(db: Db, homeDir: string, opts: { onError?: (err: unknown) => void } = {}): void {
  AuditLog.of(db).attachJournal(journalDir(homeDir), opts);
}

/** Flush the journal and forget the home; call before closing the catalog. */
export function detachAuditHome(db: Db): void {
  AuditLog.of(db).detachJournal();
}

/** The explicit repair: write again the journal's lost last entries from the catalog (log repair-journal). */
export function rewriteLostJournalEntries(db: Db, homeDir: string): { appended: number } {
  return syncJournal(db, journalDir(homeDir), new Date(), { rewriteLost: true });
}

/** Write committed entries to the journal now (also done automatically after each append). */
export function flushAuditJournal(db: Db): void {
  AuditLog.of(db).flushJournal();
}

export interface StoredEntry {
  seq: number;
  at: string;
  type: string;
  entry: string;
}

/** How many entries iterateAuditEntries gives for this range (for a progress bar). */
export function countAuditEntries(db: Db, range: { from?: string; to?: string } = {}): number {
  const { where, args } = rangeClause(range);
  return (db.prepare(`SELECT count(*) AS n FROM audit_entries ${where}`).get(...args) as { n: number }).n;
}

function rangeClause(range: { from?: string; to?: string }): { where: string; args: string[] } {
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
  return { where: where.length ? 'WHERE ' + where.join(' AND ') : '', args };
}

/** Entries in order, optionally within [from, to) by time. */
export function* iterateAuditEntries(db: Db, range: { from?: string; to?: string } = {}): Generator<StoredEntry> {
  const { where, args } = rangeClause(range);
  const sql = `SELECT seq, at, type, entry FROM audit_entries ${where} ORDER BY seq`;
  yield* db.prepare(sql).iterate(...args) as Iterable<StoredEntry>;
}
