// Scan stage: walk the recorder read-only; regular files go on, anything else is recorded as
// skipped and unreadable folders as failed. A recorder whose own folder cannot be read (and is
// not simply gone) is recorded as a failure that says what to do, and ends the session.
import { CardStalledError } from '../hash/stall.js';
import { reasonOf, recorderGone } from './failure.js';
import type { SessionRecord } from './session-record.js';
import { walkRecorder, type WalkEntry } from './walk.js';

export async function scanRecorder(root: string, record: SessionRecord, signal?: AbortSignal, stallMs?: number): Promise<WalkEntry[]> {
  const files: WalkEntry[] = [];
  const walk = walkRecorder(root, (p) => record.problem(p.rawPath, p.path, 'other', null, 'failed', `cannot read: ${reasonOf(p.error)}`), { signal, stallMs });
  try {
    for await (const entry of walk) {
      if (entry.kind === 'file') files.push(entry);
      else if (entry.kind !== 'directory') {
        record.problem(entry.rawPath, entry.path, entry.kind, entry.stat, 'skipped', `not a regular file (${entry.kind}); not read`);
      }
    }
  } catch (err) {
    if (err instanceof CardStalledError) record.problem(Buffer.alloc(0), '.', 'directory', null, 'failed', `cannot list the card: ${reasonOf(err)}`);
    const e = err as NodeJS.ErrnoException;
    if (e?.syscall === 'scandir' && e.path === root && !(await recorderGone(root, err))) {
      record.problem(
        Buffer.alloc(0),
        '.',
        'directory',
        null,
        'failed',
        `cannot read the recorder's folder ${root}: ${reasonOf(err)}; nothing was copied. Check that the recorder is mounted and readable by the evidock user, then dock it again`,
      );
    }
    throw err;
  }
  return files;
}
