// Mount a FUSE harness filesystem (faultyfs.py, cyclefs.py ... beside this file) for a system test,
// and say loudly what is missing when FUSE cannot be used here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const HARNESS = import.meta.dirname;

/** What this machine lacks for FUSE tests ([] when they can run). */
export function fuseMissing(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (FUSE mounts)');
  if (!existsSync('/dev/fuse')) missing.push('/dev/fuse');
  if (spawnSync('sh', ['-c', 'command -v fusermount'], { stdio: 'ignore' }).status !== 0) missing.push('fusermount (Debian package fuse3)');
  if (spawnSync('/usr/bin/python3', ['-c', 'import fusepy'], { stdio: 'ignore' }).status !== 0 && spawnSync('/usr/bin/python3', ['-c', 'import fuse'], { stdio: 'ignore' }).status !== 0)
    missing.push('python3 fusepy (Debian package python3-fusepy)');
  return missing;
}

/** Print one loud line when a test file is skipped, naming the file and what is missing. */
export function warnSkipped(file: string, missing: string[]): void {
  if (missing.length) console.warn(`\n*** SKIPPING ${file}: missing ${missing.join('; ')} ***\n`);
}

export interface FuseMount {
  mnt: string;
  proc: ChildProcess;
  /** Unmount (lazily) and end the filesystem's process. */
  unmount(): void;
}

/** Start `script` (a harness file name) with args ending in the mount point; wait until it is mounted. */
export async function mountFuse(script: string, src: string, mnt: string, args: string[] = []): Promise<FuseMount> {
  const proc = spawn('/usr/bin/python3', [path.join(HARNESS, script), src, mnt, ...args, '--foreground'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const until = Date.now() + 10_000;
  while (!readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mnt} `)) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error(`${script} did not mount ${mnt}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    mnt,
    proc,
    unmount: () => {
      spawnSync('fusermount', ['-uz', mnt]);
      proc.kill('SIGTERM');
    },
  };
}
