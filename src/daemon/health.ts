// The station's health figures, one shape for /healthz and `evidock status`: daemon up, notary,
// store reachable, disk free where copies are staged, age of the last signed checkpoint.
import { accessSync, constants, lstatSync, statfsSync } from 'node:fs';
import { notarySocket } from '../audit/notary-client.js';
import { latestCheckpoint } from '../audit/station.js';
import type { Config } from '../config.js';
import type { Home } from '../home.js';
import type { Db } from '../store/catalog.js';

export interface StationHealth {
  /** Every figure below is as it should be. */
  ok: boolean;
  daemon: { up: boolean; pid: number | null; startedAt: string | null };
  /** The notary: none configured, or whether its socket is there (not asked: health never waits). */
  notary: 'not installed' | 'socket present' | 'socket missing';
  store: { backend: 'local' | 's3'; reachable: boolean | null; problem: string | null };
  disk: { path: string; freeBytes: number | null; totalBytes: number | null };
  checkpoint: { lastAt: string | null; ageSeconds: number | null; treeSize: number | null };
}

function localStoreProblem(store: string): string | null {
  try {
    accessSync(store, constants.R_OK | constants.X_OK);
  } catch (err) {
    return `cannot open ${store}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  return null;
}

function diskOf(dir: string): StationHealth['disk'] {
  try {
    const s = statfsSync(dir);
    return { path: dir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return { path: dir, freeBytes: null, totalBytes: null };
  }
}

function notaryHealth(homeDir: string): StationHealth['notary'] {
  const socket = notarySocket(homeDir);
  if (socket === undefined) return 'not installed';
  try {
    return lstatSync(socket).isSocket() ? 'socket present' : 'socket missing';
  } catch {
    return 'socket missing';
  }
}

/** Health now. `daemon`: the running daemon (pid, start) or null when none runs for this home. */
export function stationHealth(db: Db, config: Config, home: Home, daemon: { pid: number; startedAt: string } | null, now = Date.now()): StationHealth {
  const backend = config.store.backend;
  // An S3 bucket is not probed from here: a health check must not wait on the network.
  const problem = backend === 'local' ? localStoreProblem(home.store) : null;
  const store = { backend, reachable: backend === 'local' ? problem === null : null, problem };
  const cp = latestCheckpoint(db);
  const lastAt = cp?.created_at ?? null;
  const checkpoint = { lastAt, ageSeconds: lastAt ? Math.max(0, Math.round((now - Date.parse(lastAt)) / 1000)) : null, treeSize: cp?.size ?? null };
  const disk = diskOf(home.staging);
  const notary = notaryHealth(home.dir);
  return {
    ok: daemon !== null && store.reachable !== false && notary !== 'socket missing',
    daemon: { up: daemon !== null, pid: daemon?.pid ?? null, startedAt: daemon?.startedAt ?? null },
    notary,
    store,
    disk,
    checkpoint,
  };
}
