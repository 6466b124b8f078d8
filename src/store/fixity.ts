// Fixity at scale: a quick mode (file count + bytes per object, like BagIt's Payload-Oxum) and a
// full mode (re-hash), over the whole store or a selection (--since, --object), with N parallel
// jobs; the checks themselves are the store backend's (OriginalsStore.check). Every object
// checked is recorded in fixity_checks, which the daemon's rolling verification reads.
import { availableParallelism } from 'node:os';
import type { Db } from './catalog.js';
import type { ChangedObject, CheckMode, MissingObject, OriginalsStore, UntrackedEntry } from './originals.js';
import { pendingCommitIntents, type OriginalRow } from './records.js';

export type FixityMode = CheckMode;

export interface FixityOptions {
  mode: FixityMode;
  /** Parallel jobs for full mode (default: the number of cores). */
  jobs?: number;
  /** Only objects held at or after this ISO instant. */
  since?: string;
  /** Only these objects (evidence numbers or OCFL object ids). */
  objects?: string[];
  onProgress?: (p: { done: number; total: number; bytesDone: number; bytesTotal: number; evidenceNumber: string }) => void;
  signal?: AbortSignal;
  /**
   * What the log's file.held entry says of an original (undefined: the log has none). Given, every
   * checked original's catalog row and provenance.json digest are compared with it, so a
   * consistent rewrite of bytes, inventories, provenance.json and catalog rows is still caught.
   */
  heldInLog?: (evidenceNumber: string) => LoggedHoldFacts | undefined;
  /** Record each object's check in fixity_checks (default true; false on a home this user only reads). */
  recordChecks?: boolean;
}

/** The members of a file.held log entry that verify compares (the audit room reads them). */
export interface LoggedHoldFacts {
  seq: number;
  objectId: unknown;
  sha256: unknown;
  sm3: unknown;
  size: unknown;
  heldAt: unknown;
  session: unknown;
  sourcePath: unknown;
  recorder: unknown;
  officer: unknown;
  provenanceSha256?: unknown;
}

const shown = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));

/** Where a held original (its catalog row, its provenance.json as the store holds it) differs from its file.held entry. */
export function differencesFromLog(row: OriginalRow, provenanceSha256: string | undefined, logged: LoggedHoldFacts | undefined): ChangedObject[] {
  const base = { evidenceNumber: row.evidence_number, objectPath: row.object_path };
  if (!logged) return [{ ...base, file: 'file.held', problem: 'no file.held entry in the log for this original (held outside evidock, or its entry was removed)' }];
  const pairs: [string, unknown, unknown][] = [
    ['sha256', logged.sha256, row.sha256],
    ['sm3', logged.sm3, row.sm3],
    ['size', logged.size, row.size],
    ['objectId', logged.objectId, row.object_id],
    ['heldAt', logged.heldAt, row.held_at],
    ['session', logged.session, row.session_id],
    ['sourcePath', logged.sourcePath, row.source_path],
    ['recorder', logged.recorder, row.recorder_id],
    ['officer', logged.officer, row.officer_id],
  ];
  if (logged.provenanceSha256 !== undefined && provenanceSha256 !== undefined) pairs.push(['provenance.json sha256', logged.provenanceSha256, provenanceSha256]);
  return pairs
    .filter(([, inLog, held]) => shown(inLog) !== shown(held))
    .map(([member, inLog, held]) => ({ ...base, file: 'file.held', problem: `${member} differs from its file.held log entry (seq ${logged.seq})`, expected: shown(inLog), actual: shown(held) }));
}

export interface FixityReport {
  started: string;
  finished: string;
  mode: FixityMode;
  jobs: number;
  selection: { since?: string; objects?: string[]; whole: boolean };
  checked: number;
  bytes: number;
  seconds: number;
  ok: boolean;
  changed: ChangedObject[];
  missing: MissingObject[];
  untracked: UntrackedEntry[];
  notFound: string[];
}

/** Rows selected by --since / --object; names that match nothing are returned apart. */
export function selectOriginals(db: Db, opts: Pick<FixityOptions, 'since' | 'objects'>): { rows: OriginalRow[]; notFound: string[] } {
  const notFound: string[] = [];
  let rows: OriginalRow[];
  if (opts.objects?.length) {
    rows = [];
    const stmt = db.prepare('SELECT * FROM originals WHERE evidence_number = ? OR object_id = ?');
    for (const name of opts.objects) {
      const row = stmt.get(name, name) as OriginalRow | undefined;
      if (row) rows.push(row);
      else notFound.push(name);
    }
  } else {
    rows = db.prepare('SELECT * FROM originals ORDER BY held_at, evidence_number').all() as OriginalRow[];
  }
  if (opts.since) rows = rows.filter((r) => r.held_at >= opts.since!);
  return { rows, notFound };
}

export async function runFixity(db: Db, store: OriginalsStore, opts: FixityOptions): Promise<FixityReport> {
  const t0 = process.hrtime.bigint();
  const started = new Date().toISOString();
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const whole = !opts.since && !opts.objects?.length;
  const { rows, notFound } = selectOriginals(db, opts);
  const report: FixityReport = {
    started, finished: '', mode: opts.mode, jobs, selection: { since: opts.since, objects: opts.objects, whole },
    checked: 0, bytes: 0, seconds: 0, ok: true, changed: [], missing: [], untracked: [], notFound,
  };
  const bytesTotal = rows.reduce((n, r) => n + r.size, 0);
  const checks: [string, string, number, string][] = [];
  await store.check(rows, { mode: opts.mode, jobs, signal: opts.signal }, (row, r) => {
    if (opts.heldInLog) r.changed.push(...differencesFromLog(row, r.provenanceSha256, opts.heldInLog(row.evidence_number)));
    report.changed.push(...r.changed);
    if (r.missing) report.missing.push(r.missing);
    report.bytes += r.bytes;
    report.checked++;
    checks.push([row.evidence_number, opts.mode, r.changed.length === 0 && !r.missing ? 1 : 0, new Date().toISOString()]);
    opts.onProgress?.({ done: report.checked, total: rows.length, bytesDone: report.bytes, bytesTotal, evidenceNumber: row.evidence_number });
  });
  if (whole) {
    // Objects of commits in flight (the daemon may be ingesting right now) are not strays.
    const tracked = new Set<string>(pendingCommitIntents(db).map((i) => i.object_path));
    for (const r of db.prepare('SELECT object_path FROM originals').pluck().all() as string[]) tracked.add(r);
    for await (const u of store.untracked(tracked)) report.untracked.push(u);
  }
  if (opts.recordChecks !== false) recordFixityChecks(db, checks);
  report.finished = new Date().toISOString();
  report.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  report.ok = report.changed.length === 0 && report.missing.length === 0 && report.untracked.length === 0 && notFound.length === 0;
  return report;
}

export function recordFixityChecks(db: Db, checks: [string, string, number, string][]): void {
  if (!checks.length) return;
  const has = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'fixity_checks'`).get();
  if (!has) return;
  const ins = db.prepare('INSERT INTO fixity_checks (evidence_number, mode, ok, checked_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const c of checks) ins.run(...c);
  })();
}

// Rolling verification (daemon): which originals are due.

/** Originals whose last full check (or holding, if never checked) is older than `olderThan`. */
export function dueForReverify(db: Db, olderThan: string, limit = 100): OriginalRow[] {
  return db
    .prepare(
      `SELECT o.* FROM originals o
       LEFT JOIN (SELECT evidence_number, MAX(checked_at) AS last FROM fixity_checks WHERE mode = 'full' GROUP BY evidence_number) f
         ON f.evidence_number = o.evidence_number
       WHERE COALESCE(f.last, o.held_at) < ?
       ORDER BY COALESCE(f.last, o.held_at) LIMIT ?`,
    )
    .all(olderThan, limit) as OriginalRow[];
}
