// Test helpers: run the real evidock CLI and daemon as processes, in a temp home.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = path.join(repoRoot, 'bin', 'evidock.js');
export const fixturesDir = path.join(repoRoot, 'fixtures', 'recorders');

export interface ManifestFile {
  file: string;
  recorder: string;
  cardPath: string;
  sha256: string;
  size: number;
  [key: string]: unknown;
}
export const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'fixtures', 'manifest.json'), 'utf8')) as {
  recorders: Record<string, any>;
  files: ManifestFile[];
};

/** A fresh temp dir under the OS temp dir; removed by the returned cleanup. */
export function tempDir(prefix = 'evidock-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    cleanup: () => {
      // Held objects are read-only: make them removable first (tests only).
      spawnSync('chmod', ['-R', 'u+w', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [binPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Make an evidock home with `evidock init` (only init and the daemon create one). */
export function initHome(home: string, args: string[] = []): void {
  const r = runCli(['--home', home, ...args, 'init']);
  if (r.code !== 0) throw new Error(`evidock init --home ${home} failed (exit ${r.code}): ${r.stderr}`);
}

/** Copy a fixture recorder to a folder (not yet docked). */
export function copyFixtureRecorder(id: string, dest: string): string {
  cpSync(path.join(fixturesDir, id), dest, { recursive: true, preserveTimestamps: true });
  return dest;
}

/**
 * A ready home: `evidock init`, then each fixture recorder copied next to the home and ingested
 * with `evidock ingest`. Throws with the CLI's stderr if a step fails.
 */
export function readyHome(home: string, recorders: string[], opts: { config?: string } = {}): string {
  const configArgs = opts.config ? ['--config', opts.config] : [];
  initHome(home, configArgs);
  for (const id of recorders) {
    const card = copyFixtureRecorder(id, `${home}-card-${id}`);
    const r = runCli(['--home', home, ...configArgs, 'ingest', card, '--json']);
    if (r.code !== 0) throw new Error(`evidock ingest ${card} failed (exit ${r.code}): ${r.stderr}`);
  }
  return home;
}

/**
 * Make held files (and the folders holding them) writable again, as someone with the service
 * user's rights would before tampering: tests of what verify and the log catch.
 */
export function unlockForTamper(...paths: string[]): void {
  for (const p of paths) chmodSync(p, statSync(p).isDirectory() ? 0o755 : 0o644);
}

/** The held originals' catalog rows, in evidence-number order (read-only handle). */
export function heldOriginals(home: string): { evidence_number: string; object_path: string; content_path: string; size: number; sha256: string }[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT evidence_number, object_path, content_path, size, sha256 FROM originals ORDER BY evidence_number').all() as any[];
  } finally {
    db.close();
  }
}

/** Whether a process is running (not gone, not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: any;
}

export class DaemonProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  private waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [binPath, ...args, 'daemon'], {
      cwd: repoRoot,
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let line: LogLine;
        try {
          line = JSON.parse(raw);
        } catch {
          continue;
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (w.pred(line)) {
            w.resolve(line);
            return false;
          }
          return true;
        });
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The first log line (past or future) matching pred. */
  waitFor(pred: (l: LogLine) => boolean, timeoutMs = 30_000, from = 0): Promise<LogLine> {
    const seen = this.lines.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a daemon log line; last lines:\n${this.lines.slice(-10).map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
