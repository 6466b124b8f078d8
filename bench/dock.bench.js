// Dock latency on the host: a recorder's filesystem is mounted under the watched media root (an
// ext4 image, loop-mounted read-only as the udev rule would) -> how long until evidock has copied
// its first byte into staging, and until the first file is held. Target: first byte < 2 s.
// Needs root (loop mounts); prints "skipped" otherwise. Runs with the default poll (500 ms) and 250 ms.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hasBytes = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      if (e.isDirectory() ? hasBytes(p) : statSync(p).size > 0) return true;
    } catch {
      /* committed meanwhile */
    }
  }
  return false;
};
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function round(pollMs, images, work) {
  const home = path.join(work, `home-${pollMs}`);
  const media = path.join(work, `media-${pollMs}`);
  mkdirSync(home, { recursive: true });
  mkdirSync(media, { recursive: true });
  writeFileSync(path.join(home, 'evidock.toml'), `[docks]\nmount = "external"\nmedia_root = "${media}"\npoll_ms = ${pollMs}\n`);
  const d = spawn(process.execPath, [path.join(repo, 'bin', 'evidock.js'), '--home', home, 'daemon'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  let buf = '';
  d.stdout.setEncoding('utf8').on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      try {
        lines.push(JSON.parse(buf.slice(0, i)));
      } catch {
        /* not JSON */
      }
      buf = buf.slice(i + 1);
    }
  });
  const until = async (pred, ms = 60_000, step = 2) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timeout');
      await sleep(step);
    }
  };
  await until(() => lines.some((l) => l.msg === 'evidock daemon ready'));
  const firstByte = [];
  const firstHeld = [];
  const docked = [];
  for (const [i, img] of images.entries()) {
    const mnt = path.join(media, `R${i}`);
    mkdirSync(mnt);
    const from = lines.length;
    const t0 = Date.now();
    spawnSync('mount', ['-o', 'loop,ro,nosuid,nodev,noexec', img, mnt]);
    await until(() => hasBytes(path.join(home, 'staging')) || lines.slice(from).some((l) => l.msg === 'file held'));
    firstByte.push(Date.now() - t0);
    await until(() => lines.slice(from).some((l) => l.msg === 'session ended'));
    docked.push(lines.slice(from).find((l) => l.msg === 'recorder docked').time - t0);
    firstHeld.push(lines.slice(from).find((l) => l.msg === 'file held').time - t0);
    spawnSync('umount', [mnt]);
  }
  d.kill('SIGTERM');
  await new Promise((r) => d.on('exit', r));
  console.log(
    `poll ${pollMs} ms, ${images.length} dockings: mount -> docked median ${median(docked)} ms (max ${Math.max(...docked)}), ` +
      `-> first byte copied median ${median(firstByte)} ms (max ${Math.max(...firstByte)}), -> first file held median ${median(firstHeld)} ms (max ${Math.max(...firstHeld)})`,
  );
}

export default async function dockBench() {
  if (process.getuid?.() !== 0) return console.log('dock: skipped (needs root for loop mounts)');
  if (spawnSync('sh', ['-c', 'command -v mkfs.ext4'], { stdio: 'ignore' }).status !== 0) return console.log('dock: skipped (mkfs.ext4 missing: e2fsprogs)');
  const work = mkdtempSync(path.join(tmpdir(), 'evidock-dock-bench-'));
  try {
    const images = [];
    for (let i = 0; i < 10; i++) {
      const src = path.join(work, `src${i}`);
      mkdirSync(path.join(src, 'DCIM'), { recursive: true });
      writeFileSync(path.join(src, 'DCIM', 'VID_0001.MP4'), randomBytes(16 * 1024 * 1024));
      writeFileSync(path.join(src, 'DCIM', 'VID_0002.MP4'), randomBytes(1024 * 1024));
      const img = path.join(work, `r${i}.img`);
      spawnSync('mkfs.ext4', ['-q', '-F', '-d', src, img, '40M']);
      images.push(img);
    }
    await round(500, images.slice(0, 5), work);
    await round(250, images.slice(5), work);
  } finally {
    for (const m of readdirSync(work).filter((n) => n.startsWith('media-')))
      for (const r of readdirSync(path.join(work, m))) spawnSync('umount', ['-l', path.join(work, m, r)]);
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await dockBench();
