// The audit journal: every entry, after its transaction commits, appended to a JSONL file per
// UTC day under <home>/journal/ (beside the OCFL storage root, so the root stays valid), fsync'd,
// and sealed read-only (0444) once its day is over. Losing the catalog loses no history: the
// journal alone rebuilds the entries (catalog rebuild) and any drift shows up (catalog check).
//
// Files never go back in time: an entry whose time is before the newest file's day goes into the
// newest file, so each file holds a contiguous run of sequence numbers and the concatenation of
// the files in name order is the log in order.
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync, writeSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectoryIfSupported } from '../lib/durable.js';
import { keepOwnerOfFolder } from '../lib/owner.js';
import type Database from 'better-sqlite3';
import { setAsideTornTail, tornTailOf } from './journal-tail.js';

type Db = Database.Database;

const FILE_RE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function journalFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => FILE_RE.test(n)).sort();
}

function dayOf(at: string): string {
  return at.slice(0, 10);
}

/** The last complete line of a file ('' if none), reading from the end. */
function lastLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const text = buf.toString('utf8');
      const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
      const nl = trimmed.lastIndexOf('\n');
      if (nl >= 0 || start === 0) return trimmed.slice(nl + 1);
      chunk *= 4;
    }
  } finally {
    closeSync(fd);
  }
}

/** seq of the last entry in the journal, or -1. */
export function lastJournaledSeq(dir: string): number {
  const files = journalFiles(dir);
  for (let i = files.length - 1; i >= 0; i--) {
    const line = lastLine(path.join(dir, files[i]));
    if (line) {
      const seq = (JSON.parse(line) as { seq?: unknown }).seq;
      if (typeof seq !== 'number') throw new Error(`journal ${files[i]}: last line has no seq`);
      return seq;
    }
  }
  return -1;
}

/** The journal ends before entries it was written with: they were removed (or the files restored from an older copy). */
export class JournalLossError extends Error {
  override name = 'JournalLossError';
  constructor(
    readonly dir: string,
    readonly lastInJournal: number,
    readonly lastWritten: number,
  ) {
    super(
      `journal ${dir} ends at entry ${lastInJournal}, but entries up to ${lastWritten} were written to it before: ` +
        `entries ${lastInJournal + 1}..${lastWritten} were removed from it. Nothing is re-written from the catalog until that is checked: ` +
        'run `evidock catalog check`, then `evidock log repair-journal` to write them again (logged)',
    );
  }
}

/** The last seq the journal was known to hold (-1: never written, or a catalog without the mark). */
export function journalMark(db: Db, dir: string): number {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_journal_mark'`).get();
  if (!has) return -1;
  const row = db.prepare('SELECT last_seq FROM audit_journal_mark WHERE dir = ?').get(path.resolve(dir)) as { last_seq: number } | undefined;
  return row?.last_seq ?? -1;
}

function setJournalMark(db: Db, dir: string, lastSeq: number): void {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_journal_mark'`).get();
  if (has) db.prepare('INSERT INTO audit_journal_mark (dir, last_seq) VALUES (?, ?) ON CONFLICT (dir) DO UPDATE SET last_seq = excluded.last_seq').run(path.resolve(dir), lastSeq);
}

export interface JournalSyncResult {
  appended: number;
  sealed: string[];
}

/**
 * Append every committed entry the journal does not have yet; fsync; seal finished days. Runs
 * under the catalog's write lock (BEGIN IMMEDIATE) so the daemon and a CLI command never write
 * the same entry twice.
 */
export function syncJournal(db: Db, dir: string, now = new Date(), opts: { rewriteLost?: boolean } = {}): JournalSyncResult {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    keepOwnerOfFolder(dir, path.dirname(dir));
  }
  const run = db.transaction((): JournalSyncResult => {
    // An append cut short (a full disk) left a torn last line: keep it aside and cut it, so the
    // journal goes on after the entries it holds whole.
    const existing = journalFiles(dir);
    if (existing.length) setAsideTornTail(dir, existing[existing.length - 1]);
    const last = lastJournaledSeq(dir);
    const mark = journalMark(db, dir);
    // Entries the journal held and no longer holds are evidence of tampering: never quietly
    // re-written from the catalog (which may be the copy that was changed).
    if (last < mark && !opts.rewriteLost) throw new JournalLossError(dir, last, mark);
    const files = journalFiles(dir);
    let currentDay = files.length ? files[files.length - 1].slice(0, 10) : '';
    const rows = db.prepare('SELECT seq, at, entry FROM audit_entries WHERE seq > ? ORDER BY seq').all(last) as { seq: number; at: string; entry: string }[];
    let fd: number | undefined;
    let fdDay = '';
    let pending: string[] = [];
    const flush = () => {
      if (fd === undefined) return;
      const buf = Buffer.from(pending.join(''), 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      pending = [];
    };
    let expect = last + 1;
    for (const r of rows) {
      if (r.seq !== expect) throw new Error(`audit entries have a gap at seq ${expect}; the journal stops before it`);
      expect++;
      let day = dayOf(r.at) > currentDay ? dayOf(r.at) : currentDay;
      if (day !== fdDay) {
        flush();
        // A sealed day is never reopened: a late entry goes into today's file instead.
        if (existsSync(path.join(dir, `${day}.jsonl`)) && (statSync(path.join(dir, `${day}.jsonl`)).mode & 0o222) === 0) {
          const today = now.toISOString().slice(0, 10);
          day = today > day ? today : day;
        }
      }
      if (day !== fdDay) {
        const file = path.join(dir, `${day}.jsonl`);
        fd = openSync(file, 'a', 0o644);
        keepOwnerOfFolder(file); // a root command's new day file stays the service user's
        fdDay = day;
        currentDay = day;
      }
      pending.push(r.entry + '\n');
    }
    flush();
    if (rows.length) fsyncDirectoryIfSupported(dir);
    if (expect - 1 > mark) setJournalMark(db, dir, expect - 1);
    return { appended: rows.length, sealed: sealFinishedDays(dir, now) };
  });
  return run.immediate();
}

/** chmod 0444 every journal file of a day before today (UTC) that is not sealed yet. */
export function sealFinishedDays(dir: string, now = new Date()): string[] {
  const today = now.toISOString().slice(0, 10);
  const files = journalFiles(dir);
  const sealed: string[] = [];
  files.forEach((name, i) => {
    const day = name.slice(0, 10);
    // The newest file stays open for late entries of its day only while it is today's.
    if (day >= today && i === files.length - 1) return;
    if (day >= today) return;
    const file = path.join(dir, name);
    if ((statSync(file).mode & 0o222) !== 0) {
      chmodSync(file, 0o444);
      sealed.push(name);
    }
  });
  return sealed;
}

export interface JournalLine {
  file: string;
  line: number;
  text: string;
}

/**
 * Every journal line in order (for rebuild and check). A torn last line of the newest file (an
 * append cut short, or one in progress) is not read, with a warning; the next append sets it aside.
 */
export function* readJournal(dir: string): Generator<JournalLine> {
  const names = journalFiles(dir);
  for (const [i, name] of names.entries()) {
    let content = readFileSync(path.join(dir, name));
    const torn = i === names.length - 1 ? tornTailOf(name, content) : undefined;
    if (torn) {
      process.emitWarning(`journal ${name}: a torn last line of ${torn.bytes.length} bytes at byte ${torn.at} was not read (an append cut short; the next append sets it aside)`, {
        code: 'EVIDOCK_JOURNAL_TORN_TAIL',
      });
      content = content.subarray(0, torn.at);
    }
    const text = content.toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) yield { file: name, line: i + 1, text: lines[i] };
  }
}
