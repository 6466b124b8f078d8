// Recorder cards for the docking bench: one ext4 image per recorder with a shift's content scaled
// down (videos of 64-256 MiB times a scale, photos, audio), every file unique across recorders so
// no bytes are deduplicated; mounted read-only on a loop device as a docked card is.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import path from 'node:path';
import { MiB, repoRoot } from './lib.js';

const FIXTURES = path.join(repoRoot, 'fixtures', 'recorders', '1234567');
const OFFICER = '010203';

/** The files of one recorder's card: path on the card, size, what it is made of. */
export function shiftContent(recorder, { videos = 12, scale = 1, photos = 4, audio = 2 } = {}) {
  const serial = String(9_000_000 + recorder);
  const files = [];
  for (let k = 0; k < videos; k++) {
    const mib = 64 + (videos > 1 ? Math.round((192 * k) / (videos - 1)) : 0);
    const stamp = `2026031508${String(k * 4).padStart(2, '0')}00`;
    files.push({ path: `DCIM/100MEDIA/${serial}_${OFFICER}_${stamp}_${String(k + 1).padStart(4, '0')}.MP4`, size: Math.max(1, Math.round(mib * MiB * scale)), kind: 'video' });
  }
  for (let k = 0; k < photos; k++) files.push({ path: `PHOTO/${serial}_${OFFICER}_202603150835${String(k).padStart(2, '0')}_${String(videos + k + 1).padStart(4, '0')}.JPG`, kind: 'photo' });
  for (let k = 0; k < audio; k++) files.push({ path: `RECORD/${serial}_${OFFICER}_202603150845${String(k).padStart(2, '0')}_${String(videos + photos + k + 1).padStart(4, '0')}.WAV`, kind: 'audio' });
  return { serial, files };
}

function fixture(kind) {
  const dir = { video: 'DCIM/100MEDIA', photo: 'PHOTO', audio: 'RECORD' }[kind];
  const ext = { video: '.MP4', photo: '.JPG', audio: '.WAV' }[kind];
  const full = path.join(FIXTURES, dir);
  const name = execFileSync('ls', [full], { encoding: 'utf8' }).split('\n').find((n) => n.endsWith(ext));
  return readFileSync(path.join(full, name));
}

/**
 * Write one card's files into `root`: a video is a real fixture MP4 followed by a box of pseudo-random
 * padding up to its size (each MiB stamped with recorder, file and block, so all are unique);
 * photos and audio are the real fixtures with a unique trailer. Returns the bytes written.
 */
function writeCard(root, recorder, content, pattern) {
  const seeds = { video: fixture('video'), photo: fixture('photo'), audio: fixture('audio') };
  let total = 0;
  const t0 = Date.UTC(2026, 2, 15, 0, 30, 0);
  content.files.forEach((f, index) => {
    const file = path.join(root, f.path);
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(file, 'w');
    try {
      const head = seeds[f.kind];
      const tag = Buffer.from(`evidock-bench recorder ${recorder} file ${index} `);
      if (f.kind !== 'video') {
        writeSync(fd, Buffer.concat([head, tag]));
        f.size = head.length + tag.length;
      } else {
        writeSync(fd, head.subarray(0, Math.min(head.length, f.size)));
        // The padding is one well-formed ISO BMFF 'free' box (64-bit size), as a recorder's file
        // is all boxes: loose bytes after the last box would read as a damaged file (exiftool warns
        // of an unknown trailer), which sends every video to ffprobe and measures that instead.
        let at = head.length;
        if (f.size - at >= 16) {
          const box = Buffer.alloc(16);
          box.writeUInt32BE(1, 0);
          box.write('free', 4, 'latin1');
          box.writeBigUInt64BE(BigInt(f.size - at), 8);
          writeSync(fd, box);
          at += 16;
        }
        const chunk = Buffer.allocUnsafe(8 * MiB);
        for (let block = 0; at < f.size; ) {
          const n = Math.min(chunk.length, f.size - at);
          for (let o = 0; o < n; o += MiB, block++) {
            pattern.copy(chunk, o, 0, Math.min(MiB, n - o));
            chunk.writeUInt32LE(recorder, o);
            chunk.writeUInt32LE(index, o + 4);
            chunk.writeUInt32LE(block, o + 8);
          }
          writeSync(fd, chunk, 0, n);
          at += n;
        }
      }
    } finally {
      closeSync(fd);
    }
    const t = new Date(t0 + index * 60_000);
    utimesSync(file, t, t);
    total += f.size;
  });
  return total;
}

/** Make recorder `recorder`'s card image under `dir` (ext4, written through a loop mount). */
export function makeCardImage(dir, recorder, opts) {
  const content = shiftContent(recorder, opts);
  const videoBytes = content.files.reduce((s, f) => s + (f.size ?? 0), 0);
  const img = path.join(dir, `card-${content.serial}.img`);
  const fill = path.join(dir, `fill-${content.serial}`);
  const imageMiB = Math.ceil((videoBytes * 1.05) / MiB) + 48;
  rmSync(img, { force: true });
  execFileSync('truncate', ['-s', `${imageMiB}M`, img]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', img]);
  mkdirSync(fill, { recursive: true });
  execFileSync('mount', ['-o', 'loop', img, fill]);
  let bytes;
  try {
    bytes = writeCard(fill, recorder, content, opts.pattern ?? randomBytes(MiB));
  } finally {
    execFileSync('umount', [fill]);
    rmSync(fill, { recursive: true, force: true });
  }
  return { img, serial: content.serial, files: content.files.length, bytes };
}

/** Loop-mount an image read-only at mnt (made if needed); returns its block device's "major:minor" and unmount. */
export function mountCard(img, mnt) {
  mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-o', 'loop,ro,nosuid,nodev,noexec', img, mnt]);
  const dev = execFileSync('findmnt', ['-n', '-o', 'SOURCE', '--mountpoint', mnt], { encoding: 'utf8' }).trim();
  const rdev = statSync(dev).rdev;
  const majMin = `${(rdev >> 8) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`;
  return {
    majMin,
    unmount(at = mnt) {
      const r = spawnSync('umount', [at], { encoding: 'utf8' });
      if (r.status !== 0) spawnSync('umount', ['-l', at]);
    },
  };
}
