// Append entries to the tamper-evident audit log. Called inside the catalog transaction that
// records the fact, so an entry exists exactly when its fact does. (Merkle checkpoints,
// journal and proofs build on these rows; see DESIGN.md §4.)
import { createHash } from 'node:crypto';
import os from 'node:os';
import type Database from 'better-sqlite3';

type Db = Database.Database;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/** Canonical JSON: object keys sorted, no whitespace, UTF-8; undefined members dropped. */
export function canonicalJson(value: Json | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('audit entries cannot hold NaN or Infinity');
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v)).join(',') + ']';
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(value[k])).join(',') + '}';
}

/** RFC 6962 leaf hash: SHA-256(0x00 || entry). */
export function leafHash(entry: string | Buffer): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(entry).digest();
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

/** Append one entry; must run inside the caller's transaction for the fact it records. */
export function appendAuditEntry(db: Db, event: AuditEvent): AppendedEntry {
  const last = db.prepare('SELECT MAX(seq) AS seq FROM audit_entries').get() as { seq: number | null };
  const seq = last.seq === null ? 0 : last.seq + 1;
  const at = (event.at ?? new Date()).toISOString();
  const entry = canonicalJson({
    seq,
    at,
    type: event.type,
    actor: { via: event.actor.via, user: event.actor.user, sudoUser: event.actor.sudoUser },
    data: event.data,
  });
  const hash = leafHash(entry);
  db.prepare('INSERT INTO audit_entries (seq, at, type, entry, leaf_hash) VALUES (?, ?, ?, ?, ?)').run(seq, at, event.type, entry, hash);
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
