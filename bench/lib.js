// Small helpers shared by the benchmarks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MiB = 1024 * 1024;

export function tempDir(prefix = 'evidock-bench-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => { spawnSync('chmod', ['-R', 'u+w', dir]); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * Drop the page cache, only when the user asked for it with --drop-caches (it changes the whole
 * machine: never by default on a user's server); returns whether it did.
 */
export function dropCaches(flags = []) {
  if (!flags.includes('--drop-caches')) return false;
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

/**
 * A VM with virtio-balloon free page reporting hands freed memory back to its host, which faults
 * it in again on next use: writing 1 GiB into the page cache can then take 2.7 s instead of 0.25 s,
 * and whichever contender happens to run ~2 s after a big file was deleted pays it. A benchmark
 * never changes the machine (no driver unbinding, no cache dropping): it says so instead, and
 * interleaved runs with medians and spread show it. Returns the note, or undefined.
 */
export function pageReportingNote() {
  let devices = [];
  try {
    devices = readdirSync('/sys/bus/virtio/drivers/virtio_balloon').filter((d) => d.startsWith('virtio'));
  } catch {
    return undefined;
  }
  if (devices.length === 0) return undefined;
  return '(this VM has virtio-balloon free page reporting on: the host takes freed memory back and faults it in again, so a run that follows a large delete may be slowed by chance; medians and spread below)';
}

/** CPU seconds (user + system) of this process's children reaped so far (spawnSync and shells included). */
export function childCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
