// How a session tells a failed file from a recorder that went away, and says why in a line.
import { readdir, stat } from 'node:fs/promises';
import { CopyError } from '../hash/copy.js';
import { errnoText } from '../hash/copy-errors.js';
import { withinStall } from '../hash/stall.js';

/** How long listing the root may take to tell a pulled card from one bad file. */
const GONE_CHECK_MS = 10_000;

/** Errors that mean the recorder itself went away (unplugged, dead mount). */
function isRecorderGoneCode(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOTCONN' || code === 'ENODEV' || code === 'ENXIO' || code === 'ESHUTDOWN';
}

/** The device of the recorder's root when docked (undefined if it cannot be read: the scan says why). */
export async function recorderDevice(root: string): Promise<number | undefined> {
  try {
    return (await withinStall(stat(root), { stallMs: GONE_CHECK_MS }, () => 'reading the card root')).dev;
  } catch {
    return undefined;
  }
}

/**
 * A pulled card often shows as EIO (or ENOENT) on the file in flight before the unmount: if the
 * recorder's root cannot be listed any more, the recorder is gone, not just one file unreadable.
 * A lazily unmounted card leaves its mount point behind, listable and empty: a root on another
 * device than `dockedDevice` (the root's device when docked) is gone too.
 */
export async function recorderGone(root: string, err: unknown, dockedDevice?: number): Promise<boolean> {
  if (isRecorderGoneCode(err)) return true;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code !== 'EIO' && code !== 'ENOENT') return false;
  try {
    await withinStall(readdir(root), { stallMs: GONE_CHECK_MS }, () => 'listing the card root');
    return dockedDevice !== undefined && (await recorderDevice(root)) !== dockedDevice;
  } catch {
    return true; // gone, or no answer: either way the session cannot go on with this card
  }
}

export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof CopyError) return err.message; // says what, where and at which byte already
  return e?.code ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? err);
}

/**
 * Why a staged copy was not held when its commit failed, in the words of a copy's failure: a full
 * disk reads "ENOSPC (no space left on device)" (what the slot looks for to name it), the
 * catalog's full disk says so too.
 */
export function holdFailureReason(err: unknown, tried: boolean): string {
  const e = err as NodeJS.ErrnoException;
  const why =
    e?.code === 'SQLITE_FULL'
      ? "the catalog's disk is full (SQLITE_FULL)"
      : e?.code && typeof e.errno === 'number'
        ? `${errnoText(e)}${e.syscall ? ` (${e.syscall}${e.path ? ` ${e.path}` : ''})` : ''}`
        : reasonOf(err);
  return `${tried ? 'holding it failed' : 'not held: the hold before it failed'}: ${why}; nothing held, will be retried at the next docking`;
}
