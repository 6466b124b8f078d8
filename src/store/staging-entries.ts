// Staging entries: one folder per copy in flight, beside the store, each carrying a marker file
// that says evidock made it. Only marked entries are ever removed.
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { writeNewFile, writeNewFileDurably } from '../lib/durable.js';
import { discardStagedObject } from './ocfl.js';

/** The marker's name and its content (checked, so a file of the same name from elsewhere is not enough). */
export const STAGING_MARKER = '.evidock-staging';
const MARKER_TEXT = 'evidock staging entry: removed by evidock when its copy is held or abandoned\n';

export interface StagingEntry {
  /** The entry's folder in staging (what a commit intent records). */
  entry: string;
  /** The OCFL object being built inside the entry (what is moved into the store). */
  objectDir: string;
}

/**
 * A new marked entry. The marker is durable on return, or with `flushMarkerLater` only once the
 * caller flushes `marker` (the local backend flushes it with the object, before the commit
 * intent names the entry; until then a power cut may leave the entry unmarked: a stranger the
 * next start leaves alone and reports, never anything held).
 */
export function createStagingEntry(stagingRoot: string, name: string, opts: { flushMarkerLater?: boolean } = {}): StagingEntry & { marker: string } {
  const entry = path.join(stagingRoot, name);
  const marker = path.join(entry, STAGING_MARKER);
  mkdirSync(entry, { mode: 0o700 });
  if (opts.flushMarkerLater) writeNewFile(marker, MARKER_TEXT, 0o400);
  else writeNewFileDurably(marker, MARKER_TEXT, 0o400);
  return { entry, objectDir: path.join(entry, 'object'), marker };
}

export function objectDirOf(entry: string): string {
  return path.join(entry, 'object');
}

/** Whether a staging entry carries evidock's marker (a regular file, not a link). */
export function isMarkedEntry(entry: string): boolean {
  try {
    const st = lstatSync(path.join(entry, STAGING_MARKER));
    return st.isFile();
  } catch {
    return false;
  }
}

/** Removes a marked entry (even once sealed read-only). An unmarked one is left alone: false. */
export function removeStagingEntry(entry: string): boolean {
  if (!existsSync(entry)) return true;
  if (!isMarkedEntry(entry)) return false;
  discardStagedObject(entry);
  return true;
}

/** Every entry in staging, split into those evidock made (removed) and those it did not (left). */
export function clearStaging(stagingRoot: string): { removed: string[]; strangers: string[] } {
  const removed: string[] = [];
  const strangers: string[] = [];
  if (!existsSync(stagingRoot)) return { removed, strangers };
  for (const name of readdirSync(stagingRoot)) {
    if (removeStagingEntry(path.join(stagingRoot, name))) removed.push(name);
    else strangers.push(name);
  }
  return { removed, strangers };
}
