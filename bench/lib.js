// Small helpers shared by the benchmarks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MiB = 1024 * 1024;

export function tempDir(prefix = 'evidock-bench-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => { spawnSync('chmod', ['-R', 'u+w', dir]); rmSync(dir, { recursive: true, force: true }); } };
}

/** Drop the page cache if we may (root, writable /proc); returns whether it did. */
export function dropCaches() {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

/** Run a shell command, return wall seconds. */
export function timeShell(cmd) {
  const t = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Write a file of pseudo-random bytes quickly (incompressible enough for disks). */
export function makeFile(file, bytes) {
  execFileSync('bash', ['-c', `head -c ${bytes} /dev/urandom > '${file}'`]);
}

export function fmt(n, digits = 1) {
  return n.toFixed(digits);
}
