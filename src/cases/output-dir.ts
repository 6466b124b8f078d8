// Output that appears complete or not at all: built under a hidden temporary name beside the
// destination and renamed into place at the end; removed if anything fails before.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, chmodSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectoryIfSupported } from '../lib/durable.js';
import { CasesError } from './errors.js';

/** Refuses a destination that exists or whose folder does not; returns the absolute path. */
export function checkNewOutput(out: string, what: string): string {
  const abs = path.resolve(out);
  if (existsSync(abs)) throw new CasesError(`${what} ${abs} already exists; choose a new name (nothing is overwritten); nothing written`);
  if (!existsSync(path.dirname(abs))) throw new CasesError(`${path.dirname(abs)} does not exist; nothing written`);
  return abs;
}

export function temporaryBeside(abs: string): string {
  return path.join(path.dirname(abs), `.${path.basename(abs)}.partial-${randomBytes(4).toString('hex')}`);
}

/** Removes a temporary output (its files may be read-only). */
export function removeTemporary(tmp: string): void {
  if (!existsSync(tmp)) return;
  const unlock = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      chmodSync(p, 0o755);
      for (const n of readdirSync(p)) unlock(path.join(p, n));
    }
  };
  unlock(tmp);
  rmSync(tmp, { recursive: true, force: true });
}

/** Builds into a temporary folder, runs `commit` (the audit entry) and renames into place. */
export async function buildThenRename<T>(abs: string, build: (tmp: string) => Promise<T>, commit: (built: T) => void, opts: { dir: boolean }): Promise<T> {
  const tmp = temporaryBeside(abs);
  if (opts.dir) mkdirSync(tmp, { mode: 0o755 });
  let built: T;
  try {
    built = await build(tmp);
    commit(built);
  } catch (err) {
    removeTemporary(tmp);
    throw err;
  }
  if (existsSync(abs)) {
    removeTemporary(tmp);
    throw new CasesError(`${abs} appeared while the copy was made; nothing renamed (the audit entry names it)`, 'refused');
  }
  renameSync(tmp, abs);
  fsyncDirectoryIfSupported(path.dirname(abs));
  return built;
}
