// A read-rate limit per recorder for the docking bench: each recorder is a loop-mounted image (a
// real block device with a real filesystem, as a USB card is), and the kernel's block throttle
// (cgroup v1 blkio.throttle.read_bps_device, or v2 io.max rbps) limits how fast the processes
// under test read from that device: evidock and `cat` read through their ordinary code paths.
// The bench makes one cgroup of its own for them and removes it at the end; no system-wide
// setting is changed.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What is missing for throttled recorders here ([] when they can run). */
export function throttleMissing() {
  const missing = [];
  if (process.getuid?.() !== 0) missing.push('root (loop mounts, a cgroup of the bench)');
  if (!cgroupFlavour()) missing.push('a cgroup block throttle (v1 blkio or v2 io controller)');
  return missing;
}

function cgroupFlavour() {
  if (existsSync('/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device')) return { kind: 'v1', root: '/sys/fs/cgroup/blkio' };
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    try {
      if (readFileSync(path.join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('io')) return { kind: 'v2', root };
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * A cgroup for the processes under test. `limit(majMin, bytesPerSecond)` caps reads from one
 * block device; `wrap(argv)` returns a command that enters the cgroup and then execs argv.
 */
export function makeThrottleGroup(name = `evidock-bench-${process.pid}`) {
  const flavour = cgroupFlavour();
  if (!flavour) throw new Error('no cgroup block throttle here (need v1 blkio or v2 io)');
  if (flavour.kind === 'v2') {
    // the io controller must be on for children of the parent: only enabled, never disabled
    try {
      writeFileSync(path.join(flavour.root, 'cgroup.subtree_control'), '+io');
    } catch {
      /* already on, or not ours to change: io.max below then fails loudly */
    }
  }
  const dir = path.join(flavour.root, name);
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    kind: flavour.kind,
    limit(majMin, bytesPerSecond) {
      if (flavour.kind === 'v1') writeFileSync(path.join(dir, 'blkio.throttle.read_bps_device'), `${majMin} ${bytesPerSecond}\n`);
      else writeFileSync(path.join(dir, 'io.max'), `${majMin} rbps=${bytesPerSecond}\n`);
    },
    wrap(argv) {
      return ['sh', ['-c', `echo $$ > '${path.join(dir, 'cgroup.procs')}' && exec "$@"`, 'sh', ...argv]];
    },
    /** Removes the cgroup (its processes must have ended). */
    remove() {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch (err) {
          if (err.code === 'ENOENT') return;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        }
      }
      console.error(`could not remove the bench's cgroup ${dir}: rmdir it when its processes have ended`);
    },
  };
}
