// The home's writer lock: one process at a time (the daemon or one `evidock ingest`) may recover,
// stage and commit in a home. The lock is SQLite's own POSIX record lock on <home>/run/home.lock,
// held by a connection in exclusive locking mode: the kernel releases it when the holder exits,
// however it exits (SIGKILL, power loss of the process), so a dead holder never blocks the next.
// Who holds it is written beside it (home-lock.json) for the message the next comer prints; that
// file lags the lock by a moment (the lock's commit is flushed first), and a SIGKILLed holder
// leaves its file behind, so a refused comer trusts only a file naming a live process, waiting
// briefly for it, and tries the lock again meanwhile: two processes that start at the same
// instant can both be turned away by SQLite's lock upgrade (each saw the other's shared lock),
// and the retry lets exactly one of them win while the other names it.
// Nothing else opens home.lock: closing any other descriptor of it in this process would drop
// the POSIX lock (fcntl locks belong to the process, not the descriptor).
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Home } from './home.js';

export type HomeRole = 'daemon' | 'ingest';

/** Who holds a home, as the holder wrote it when it took the lock. */
export interface HomeHolder {
  pid: number;
  role: HomeRole;
  since: string;
}

export interface HomeLock {
  readonly home: string;
  readonly role: HomeRole;
  /** Drop the lock (idempotent). The kernel drops it anyway when the process ends. */
  release(): void;
}

/** The lock could not be taken: another live process holds the home. */
export class HomeBusyError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly holder: HomeHolder | undefined,
  ) {
    super(message);
    this.name = 'HomeBusyError';
  }
}

export function homeLockPaths(home: Pick<Home, 'run'>): { lock: string; holder: string } {
  return { lock: path.join(home.run, 'home.lock'), holder: path.join(home.run, 'home-lock.json') };
}

/** The holder named in home-lock.json, when it is readable (it may lag the lock by a moment). */
export function readHomeHolder(home: Pick<Home, 'run'>): HomeHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(homeLockPaths(home).holder, 'utf8')) as HomeHolder;
    return Number.isInteger(h.pid) && (h.role === 'daemon' || h.role === 'ingest') ? h : undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(h: HomeHolder | undefined): string {
  if (!h) return 'another evidock process';
  return h.role === 'daemon' ? `the evidock daemon (pid ${h.pid})` : `\`evidock ingest\` (pid ${h.pid}, since ${h.since})`;
}

/** Take the home's lock now, or return who holds it. */
export function tryLockHome(home: Pick<Home, 'dir' | 'run'>, role: HomeRole): HomeLock | { heldBy: HomeHolder | undefined } {
  const paths = homeLockPaths(home);
  mkdirSync(home.run, { recursive: true });
  const db = new Database(paths.lock, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // BEGIN EXCLUSIVE takes the write lock at once or fails with SQLITE_BUSY; in exclusive
    // locking mode the write below keeps it after COMMIT, for the connection's life.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS taken (n INTEGER NOT NULL)');
    db.exec('DELETE FROM taken; INSERT INTO taken (n) VALUES (1)');
    db.exec('COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return { heldBy: readHomeHolder(home) };
    throw err;
  }
  const holder: HomeHolder = { pid: process.pid, role, since: new Date().toISOString() };
  const tmp = `${paths.holder}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
  renameSync(tmp, paths.holder);
  let held = true;
  return {
    home: home.dir,
    role,
    release() {
      if (!held) return;
      held = false;
      if (readHomeHolder(home)?.pid === process.pid) rmSync(paths.holder, { force: true });
      db.close();
    },
  };
}

export interface LockHomeOptions {
  /** Wait while the holder is a `evidock ingest` (it ends on its own); a daemon holder is refused at once. */
  waitForIngest?: {
    /** Told once who is waited for. */
    onWaiting(holder: HomeHolder | undefined, message: string): void;
    signal?: AbortSignal;
    pollMs?: number;
  };
}

/**
 * Take the home's lock for `role`. Refuses (HomeBusyError, exit 2) when another process holds it,
 * or, with waitForIngest, waits while that process is an `evidock ingest`.
 */
export async function lockHome(home: Pick<Home, 'dir' | 'run' | 'docks'>, role: HomeRole, opts: LockHomeOptions = {}): Promise<HomeLock> {
  let told = false;
  for (;;) {
    const got = await tryLockHomeOrName(home, role, opts.waitForIngest?.signal);
    if (!('heldBy' in got)) return got;
    const h = got.heldBy;
    const wait = opts.waitForIngest;
    if (!wait || h?.role === 'daemon') throw busyError(home, role, h);
    if (!told) {
      told = true;
      wait.onWaiting(h, `waiting: ${describeHolder(h)} is ingesting into ${home.dir}; this ingest starts when it ends (Ctrl-C or SIGTERM stops waiting; nothing has been copied yet)`);
    }
    await pause(wait.pollMs ?? 250, wait.signal);
    if (wait.signal?.aborted) throw wait.signal.reason ?? new Error('stopped waiting for the home');
  }
}

/** How long a refused comer waits for the holder to name itself (it does within milliseconds, or is not evidock). */
const NAME_WAIT_MS = 3_000;

/** A process with this pid exists (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * tryLockHome, but a refusal is only returned with a live holder named (or, after NAME_WAIT_MS,
 * none): meanwhile the lock is tried again, so a collision of two comers, or a holder that
 * has just let go, ends with the lock taken rather than with both turned away.
 */
async function tryLockHomeOrName(home: Pick<Home, 'dir' | 'run'>, role: HomeRole, signal?: AbortSignal): Promise<HomeLock | { heldBy: HomeHolder | undefined }> {
  const until = Date.now() + NAME_WAIT_MS;
  for (;;) {
    const got = tryLockHome(home, role);
    if (!('heldBy' in got)) return got;
    const h = got.heldBy;
    if ((h && h.pid !== process.pid && alive(h.pid)) || Date.now() >= until) return { heldBy: h && h.pid !== process.pid && alive(h.pid) ? h : undefined };
    await pause(20 + Math.floor(Math.random() * 60), signal);
  }
}

/** Sleep `ms`, or reject at once with the signal's reason when it aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('stopped waiting for the home'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function busyError(home: Pick<Home, 'dir' | 'docks'>, role: HomeRole, h: HomeHolder | undefined): HomeBusyError {
  if (role === 'daemon') {
    if (h?.role === 'daemon') return new HomeBusyError(`another evidock daemon (pid ${h.pid}) already runs on ${home.dir}; stop it first`, h);
    return new HomeBusyError(`${describeHolder(h)} is writing to ${home.dir}; start the daemon when it has finished`, h);
  }
  if (h?.role === 'daemon')
    return new HomeBusyError(
      `the evidock daemon (pid ${h.pid}) runs on ${home.dir}, so this ingest would be a second writer: nothing was copied. Dock the recorder with the daemon instead (move its folder into ${home.docks}), or stop the daemon (systemctl stop evidock) and run the ingest again.`,
      h,
    );
  return new HomeBusyError(`${describeHolder(h)} is writing to ${home.dir}; nothing was copied: run the ingest again when it has finished`, h);
}
