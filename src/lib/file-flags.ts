// The immutable flag of files (chattr/lsattr from e2fsprogs): the one place evidock runs them.
// Setting it needs CAP_LINUX_IMMUTABLE and a filesystem that keeps the flag (ext4, xfs, btrfs).
import { execFileSync } from 'node:child_process';

export class FileFlagError extends Error {
  override name = 'FileFlagError';
}

function run(program: 'chattr' | 'lsattr', args: string[]): string {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new FileFlagError(`${program} is not installed (apt-get install e2fsprogs)`);
    throw new FileFlagError(`${program} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Set the immutable flag on each path (files and folders), in the order given. */
export function makeImmutable(paths: readonly string[]): void {
  for (let i = 0; i < paths.length; i += 200) run('chattr', ['+i', '--', ...paths.slice(i, i + 200)]);
}

/** Which of `paths` carry the immutable flag (a path whose flags cannot be read: false). */
export function immutablePaths(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < paths.length; i += 200) {
    let text: string;
    try {
      text = run('lsattr', ['-d', '--', ...paths.slice(i, i + 200)]);
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^(\S+)\s(.+)$/.exec(line);
      if (m && m[1].includes('i')) out.add(m[2]);
    }
  }
  return out;
}
