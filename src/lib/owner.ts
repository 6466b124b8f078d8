// A file made by a command run as root must stay usable by the service user: it is given to the
// owner of the folder it was made in (the home's owner), as SQLite does for its -wal and -shm.
import { chownSync, statSync } from 'node:fs';
import path from 'node:path';

/** When running as root, chown `file` to the owner and group of `folder` (default: its parent). */
export function keepOwnerOfFolder(file: string, folder = path.dirname(file)): void {
  if (process.getuid?.() !== 0) return;
  const st = statSync(folder);
  if (st.uid === 0 && st.gid === 0) return;
  chownSync(file, st.uid, st.gid);
}
