// Recorders as real mounts on the host (root): an ext4 image loop-mounted and a FAT32 image
// through fusefat under the watched media root are ingested; a recorder whose mount goes away
// mid-copy (FUSE, slowed by faultyfs) leaves nothing partial and is finished when mounted again.
// Also: this host has no USB stack, and the daemon says so instead of dying.
// Skips LOUDLY when not root or tools are missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, tempDir } from '../helpers/evidock.js';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (loop and FUSE mounts)');
for (const [cmd, pkg] of [['mkfs.ext4', 'e2fsprogs'], ['mkfs.vfat', 'dosfstools'], ['mcopy', 'mtools'], ['fusefat', 'fusefat'], ['fusermount', 'fuse3'], ['losetup', 'mount']])
  if (!have(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
if (spawnSync('/usr/bin/python3', ['-c', 'import fusepy'], { stdio: 'ignore' }).status !== 0 && spawnSync('/usr/bin/python3', ['-c', 'import fuse'], { stdio: 'ignore' }).status !== 0)
  missing.push('python3 fusepy (Debian package python3-fusepy)');
if (!existsSync('/dev/fuse')) missing.push('/dev/fuse');
if (!existsSync(path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js'))) missing.push('dist/ (run `npm run build`)');
if (missing.length) console.warn(`\n*** SKIPPING host mount test (test/system/host-mounts.test.ts): missing ${missing.join('; ')} ***\n`);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
};

/** A recorder card's files (random content) in a folder; returns path -> sha256. */
function makeCard(dir: string, tag: string, bigMiB: number): Map<string, string> {
  const files = new Map<string, Buffer>([
    ['DCIM/100BWC/VID_0001.MP4', randomBytes(bigMiB * 1024 * 1024)],
    ['DCIM/100BWC/VID_0002.MP4', randomBytes(700_000)],
    ['RECORD/AUD 0003.WAV', randomBytes(90_000)],
    [`LOG/${tag}.LOG`, Buffer.from(`boot ok ${tag}\n`)],
  ]);
  const out = new Map<string, string>();
  for (const [p, b] of files) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), b);
    out.set(p, sha256(b));
  }
  return out;
}

describe.skipIf(missing.length > 0)('host: loop and FUSE mounts under the watched media root (root)', () => {
  const tmp = tempDir('evidock-hostmnt-');
  const home = path.join(tmp.dir, 'home');
  const media = path.join(tmp.dir, 'media');
  const mounted: string[] = [];
  const procs: ChildProcess[] = [];
  let daemon: DaemonProcess;

  const held = () => {
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT sha256, object_path, content_path, source_path, recorder_id FROM originals').all() as any[]).map((o) => ({
        ...o,
        stored: sha256(readFileSync(path.join(home, 'store', o.object_path, o.content_path))),
      }));
    } finally {
      db.close();
    }
  };
  const slot = (name: string) => {
    try {
      return JSON.parse(readFileSync(path.join(home, 'run', 'daemon-status.json'), 'utf8')).slots.find((s: any) => s.slot === name);
    } catch {
      return undefined;
    }
  };
  const until = async (what: string, fn: () => boolean, ms = 60_000, step = 50) => {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end) throw new Error(`timeout: ${what}`);
      await new Promise((r) => setTimeout(r, step));
    }
  };
  /** Time from now until the first byte lands in staging or a file is held (whichever first). */
  const firstByteAfter = async (t0: number, heldBefore: number) => {
    const staging = path.join(home, 'staging');
    const hasBytes = (dir: string): boolean => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        try {
          if (e.isDirectory() ? hasBytes(p) : statSync(p).size > 0) return true;
        } catch {
          /* moved */
        }
      }
      return false;
    };
    await until('first byte copied', () => hasBytes(staging) || held().length > heldBefore, 30_000, 5);
    return Date.now() - t0;
  };

  beforeAll(async () => {
    mkdirSync(media, { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), `[docks]\nmount = "external"\nmedia_root = "${media}"\npoll_ms = 250\n`);
    daemon = new DaemonProcess(['--home', home]);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
  });

  afterAll(async () => {
    await daemon?.stop();
    for (const p of procs) p.kill('SIGKILL');
    for (const m of mounted.reverse()) spawnSync('umount', ['-l', m]);
    tmp.cleanup();
  });

  it('on this host without USB the daemon runs and says USB detection is unavailable', async () => {
    if (existsSync('/sys/bus/usb')) return; // a host with USB: nothing to show here
    const st = JSON.parse(readFileSync(path.join(home, 'run', 'daemon-status.json'), 'utf8'));
    expect(st.warnings.join('\n')).toMatch(/USB detection is unavailable: this host has no USB bus/);
    expect(daemon.child.exitCode).toBeNull();
  });

  it('an ext4 image loop-mounted read-only is ingested completely', async () => {
    const src = path.join(tmp.dir, 'ext4src');
    const files = makeCard(src, 'EXT4', 8);
    const img = path.join(tmp.dir, 'ext4.img');
    run('mkfs.ext4', ['-q', '-F', '-d', src, img, '32M']);
    const mnt = path.join(media, 'EXT4');
    mkdirSync(mnt);
    const before = held().length;
    const t0 = Date.now();
    run('mount', ['-o', 'loop,ro,nosuid,nodev,noexec', img, mnt]);
    mounted.push(mnt);
    const ms = await firstByteAfter(t0, before);
    console.log(`ext4 loop mount -> first byte copied: ${ms} ms`);
    await until('EXT4 done', () => slot('EXT4')?.state === 'done');
    const h = held();
    for (const [p, d] of files) expect(h.find((o) => o.sha256 === d && o.source_path === p)?.stored, p).toBe(d);
    expect(slot('EXT4')).toMatchObject({ held: files.size, failed: 0 });
    run('umount', [mnt]);
    mounted.pop();
    await until('EXT4 empty', () => slot('EXT4')?.state === 'empty');
  });

  it('a FAT32 image through fusefat is ingested completely', async () => {
    const src = path.join(tmp.dir, 'fatsrc');
    const files = makeCard(src, 'FAT', 4);
    const img = path.join(tmp.dir, 'fat.img');
    run('truncate', ['-s', '40M', img]);
    run('mkfs.vfat', ['-F', '32', '-n', 'BODYCAM', img]);
    spawnSync('sh', ['-c', `cd '${src}' && MTOOLS_SKIP_CHECK=1 mcopy -s -i '${img}' DCIM RECORD LOG ::/`]);
    const mnt = path.join(media, 'FAT');
    mkdirSync(mnt);
    const before = held().length;
    const t0 = Date.now();
    run('fusefat', ['-o', 'ro', img, mnt]);
    mounted.push(mnt);
    const ms = await firstByteAfter(t0, before);
    console.log(`fusefat mount -> first byte copied: ${ms} ms`);
    await until('FAT done', () => slot('FAT')?.state === 'done');
    const h = held();
    for (const [p, d] of files) expect(h.find((o) => o.sha256 === d)?.stored, p).toBe(d);
    run('fusermount', ['-u', mnt]);
    mounted.pop();
    await until('FAT empty', () => slot('FAT')?.state === 'empty');
  });

  it('a mount that goes away mid-copy: nothing partial held, staging cleaned; mounted again: all held', async () => {
    const src = path.join(tmp.dir, 'slowsrc');
    const files = makeCard(src, 'SLOW', 24);
    const big = files.get('DCIM/100BWC/VID_0001.MP4')!;
    const mnt = path.join(media, 'SLOW');
    mkdirSync(mnt);
    const faulty = path.join(import.meta.dirname, 'harness', 'faultyfs.py');
    const slow = spawn('/usr/bin/python3', [faulty, src, mnt, '--delay-ms', '15', '--foreground'], { stdio: 'ignore' });
    procs.push(slow);
    mounted.push(mnt);
    await until('copying the big file', () => slot('SLOW')?.state === 'copying' && String(slot('SLOW')?.filePath).endsWith('VID_0001.MP4') && slot('SLOW')?.bytesDone > 0, 60_000);
    slow.kill('SIGKILL'); // the card is yanked: readers get ENOTCONN
    spawnSync('fusermount', ['-uz', mnt]);
    await until('SLOW empty or error', () => ['empty', 'error'].includes(slot('SLOW')?.state), 30_000);
    await until('staging empty', () => readdirSync(path.join(home, 'staging')).length === 0, 30_000);
    let h = held();
    expect(h.find((o) => o.sha256 === big)).toBeUndefined();
    for (const o of h) expect(o.stored).toBe(o.sha256);

    const again = spawn('/usr/bin/python3', [faulty, src, mnt, '--foreground'], { stdio: 'ignore' });
    procs.push(again);
    const t = Date.now();
    await until('SLOW done again', () => slot('SLOW')?.state === 'done' && Date.parse(slot('SLOW').since) >= t - 1000, 90_000);
    h = held();
    for (const [p, d] of files) expect(h.find((o) => o.sha256 === d)?.stored, p).toBe(d);
    again.kill('SIGTERM');
    spawnSync('fusermount', ['-uz', mnt]);
  }, 180_000);
});
