// The daemon's live state (slots, sessions in progress), written atomically to <home>/run/
// so `evidock status` and `evidock docks` can show it without talking to the daemon.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SlotUpdate } from '../ingest/docking.js';

/** A slot as `status` and `docks` show it: the docking's last update, or empty. */
export interface SlotStatus extends Omit<SlotUpdate, 'state'> {
  slot: string;
  state: 'empty' | SlotUpdate['state'];
  sessionId?: string;
  since: string;
}

export interface DaemonStatus {
  pid: number;
  startedAt: string;
  updatedAt: string;
  docks: string[];
  slots: SlotStatus[];
  warnings: string[];
  /** The station page's address, when the daemon serves it. */
  web?: { url: string };
}

/** Replace the status file (home.statusFile) with `status`. */
export function writeStatusFile(file: string, status: DaemonStatus): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(status, null, 2) + '\n');
  renameSync(tmp, file);
}

/** The running daemon's status, or undefined when no daemon is alive for this home. */
export function readStatusFile(file: string): DaemonStatus | undefined {
  let status: DaemonStatus;
  try {
    status = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  try {
    process.kill(status.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return status;
}
