// The SQLite catalog: an index of the store and of the audit journal. The only place that
// opens SQLite; other rooms get the Database handle from here.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { migrations as coreMigrations, type Migration } from './migrations.js';
import { caseMigrations } from './cases-schema.js';
import { s3Migrations } from './s3-schema.js';
import { cachePreparedStatements } from './statement-cache.js';

const allMigrations = [...coreMigrations, ...caseMigrations, ...s3Migrations];

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** How long a reader waits for the daemon's write lock (ms). */
  busyTimeoutMs?: number;
  migrations?: Migration[];
}

export function openCatalog(file: string, opts: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10_000}`);
  // Sorts, temporary indexes and statement journals stay in memory: SQLite would otherwise put
  // them in /var/tmp (outside the home, where nothing of evidock's belongs).
  db.pragma('temp_store = MEMORY');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  if (!opts.readonly) migrate(db, opts.migrations ?? allMigrations);
  cachePreparedStatements(db);
  return db;
}

/**
 * Opens a catalog this user may only read (an auditor). Read-only in place where SQLite can share
 * the WAL index (-shm) read-only, which it can while the daemon runs; otherwise (no -shm, and a
 * folder this user cannot create one in) a private snapshot copy of the catalog and its -wal in
 * the temporary folder, removed when the process exits.
 */
export function openCatalogForReading(file: string): Db {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evidock-read-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const copy = path.join(dir, 'catalog.sqlite');
    copyFileSync(file, copy);
    if (existsSync(file + '-wal')) copyFileSync(file + '-wal', copy + '-wal');
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  }
}

/** Runs `task` (a module whose default export takes (db, args)) on its own read-only handle. */
export type CatalogTaskRunner = (task: URL, args: unknown) => Promise<unknown>;

const CATALOG_WORKER = new URL('./catalog-worker.js', import.meta.url);

/**
 * A runner of tasks on worker threads, each with its own read-only handle to the catalog file;
 * undefined where none can run (an in-memory catalog, or the TypeScript sources under test, where
 * no compiled worker lies beside this file).
 */
export function catalogTaskRunner(file: string): CatalogTaskRunner | undefined {
  if (file === ':memory:' || !existsSync(fileURLToPath(CATALOG_WORKER))) return undefined;
  return (task, args) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(CATALOG_WORKER, { workerData: { catalog: file, task: task.href, args } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the catalog worker for ${task.pathname} stopped (exit code ${code}) before it finished`)));
    });
}

export function schemaVersion(db: Db): number {
  const row = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`)
    .get() as { name: string } | undefined;
  if (!row) return 0;
  const v = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return v.v ?? 0;
}

/** Apply every migration not yet applied, each in its own transaction, in version order. */
export function migrate(db: Db, migrations: Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_version').all() as { version: number }[]).map((r) => r.version),
  );
  const versions = new Set<number>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new Error(`two catalog migrations claim version ${m.version}`);
    versions.add(m.version);
  }
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
    done.push(m.version);
  }
  return done;
}
