// Small helpers shared by the benchmarks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A VM with virtio-balloon free page reporting hands freed memory back to its host, which faults
 * it in again on next use: writing 1 GiB into the page cache then takes 2.7 s instead of 0.25 s,
 * and whichever contender happens to run ~2 s after a big file was deleted pays it. A storage
 * server on real hardware has no such cost, so while the benchmarks run (as root) the balloon
 * driver is unbound, and bound again afterwards. `--keep-page-reporting` leaves it alone.
 * Returns a function that restores the binding.
 */
export function pausePageReporting(flags) {
  const driver = '/sys/bus/virtio/drivers/virtio_balloon';
  let devices = [];
  try {
    devices = readdirSync(driver).filter((d) => d.startsWith('virtio'));
  } catch {
    return () => {};
  }
  if (devices.length === 0) return () => {};
  if (flags.includes('--keep-page-reporting')) {
    console.log('(virtio-balloon free page reporting left on: runs that follow a large delete may be slowed by host page faults)');
    return () => {};
  }
  const unbound = [];
  for (const d of devices) {
    try {
      writeFileSync(path.join(driver, 'unbind'), d);
      unbound.push(d);
    } catch (err) {
      console.log(`(cannot pause free page reporting of ${d}: ${err.message}; runs may be slowed by host page faults)`);
    }
  }
  if (unbound.length) console.log(`(virtio-balloon ${unbound.join(', ')} unbound while benchmarking, so freed memory is not handed back to the host and faulted in again; bound again at the end)`);
  return () => {
    for (const d of unbound) {
      try {
        writeFileSync(path.join(driver, 'bind'), d);
      } catch (err) {
        console.error(`could not bind ${d} to virtio_balloon again: ${err.message}; run: echo ${d} > ${driver}/bind`);
      }
    }
  };
}
