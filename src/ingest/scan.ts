// Scan stage: walk the recorder read-only; regular files go on, anything else is recorded as
// skipped and unreadable folders as failed.
import { walkRecorder, type WalkEntry } from './walk.js';
import { reasonOf } from './failure.js';
import type { SessionRecord } from './session-record.js';

export async function scanRecorder(root: string, record: SessionRecord): Promise<WalkEntry[]> {
  const files: WalkEntry[] = [];
  for await (const entry of walkRecorder(root, (p) => record.problem(p.rawPath, p.path, 'other', null, 'failed', `cannot read: ${reasonOf(p.error)}`))) {
    if (entry.kind === 'file') files.push(entry);
    else if (entry.kind !== 'directory') {
      record.problem(entry.rawPath, entry.path, entry.kind, entry.stat, 'skipped', `not a regular file (${entry.kind}); not read`);
    }
  }
  return files;
}
