// /proc/self/mountinfo: parsing and diffing. inotify (and so chokidar) never sees a mount, so the
// mount dock polls this file and diffs successive snapshots (see mount-watcher.ts).
// Format (proc(5)): id parent major:minor root mountpoint options [optional...] - fstype source superopts
// Paths are escaped by the kernel: space \040, tab \011, newline \012, backslash \134.
import path from 'node:path';

export interface MountEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  /** Root of the mount inside its filesystem: "/" unless a bind mount of a subdirectory. */
  root: string;
  mountPoint: string;
  /** Per-mount options (ro/rw, nosuid, nodev, noexec, relatime...). */
  options: string[];
  optionalFields: string[];
  fsType: string;
  source: string;
  superOptions: string[];
  readOnly: boolean;
}

/** Decode the kernel's octal escapes (\040 etc.) byte-exactly, then read the bytes as UTF-8. */
export function unescapeMountField(field: string): string {
  if (!field.includes('\\')) return field;
  const src = Buffer.from(field, 'utf8');
  const out = Buffer.alloc(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === 0x5c && i + 3 < src.length && isOctal(src[i + 1]) && isOctal(src[i + 2]) && isOctal(src[i + 3])) {
      out[n++] = ((src[i + 1] - 48) << 6) | ((src[i + 2] - 48) << 3) | (src[i + 3] - 48);
      i += 3;
    } else {
      out[n++] = c;
    }
  }
  return out.subarray(0, n).toString('utf8');
}

function isOctal(b: number | undefined): boolean {
  return b !== undefined && b >= 48 && b <= 55;
}

/** Parse one line; returns null for a line that is not a mountinfo record. */
export function parseMountinfoLine(line: string): MountEntry | null {
  const fields = line.trim().split(' ');
  const sep = fields.indexOf('-', 6);
  if (fields.length < 10 || sep < 0 || fields.length < sep + 3) return null;
  const [id, parent, devno, root, mountPoint, options] = fields;
  const m = devno.match(/^(\d+):(\d+)$/);
  if (!m || !/^\d+$/.test(id) || !/^\d+$/.test(parent)) return null;
  const opts = options.split(',');
  return {
    mountId: Number(id),
    parentId: Number(parent),
    major: Number(m[1]),
    minor: Number(m[2]),
    root: unescapeMountField(root),
    mountPoint: unescapeMountField(mountPoint),
    options: opts,
    optionalFields: fields.slice(6, sep),
    fsType: unescapeMountField(fields[sep + 1]),
    source: unescapeMountField(fields[sep + 2]),
    superOptions: (fields[sep + 3] ?? '').split(',').filter(Boolean),
    readOnly: opts.includes('ro'),
  };
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const e = parseMountinfoLine(line);
    if (e) out.push(e);
  }
  return out;
}

/** Identity of one mount while it exists (mount ids are reused only after an unmount). */
export function mountKey(e: MountEntry): string {
  return `${e.mountId}\0${e.major}:${e.minor}\0${e.mountPoint}`;
}

export interface MountDiff {
  added: MountEntry[];
  removed: MountEntry[];
  /** Same mount, other per-mount options (a remount, e.g. ro -> rw). */
  changed: { before: MountEntry; after: MountEntry }[];
}

export function diffMounts(before: readonly MountEntry[], after: readonly MountEntry[]): MountDiff {
  const prev = new Map(before.map((e) => [mountKey(e), e]));
  const next = new Map(after.map((e) => [mountKey(e), e]));
  const diff: MountDiff = { added: [], removed: [], changed: [] };
  for (const [k, e] of next) {
    const p = prev.get(k);
    if (!p) diff.added.push(e);
    else if (p.options.join(',') !== e.options.join(',') || p.superOptions.join(',') !== e.superOptions.join(','))
      diff.changed.push({ before: p, after: e });
  }
  for (const [k, e] of prev) if (!next.has(k)) diff.removed.push(e);
  return diff;
}

/** True when `p` is `root` or inside it (both absolute, compared lexically). */
export function isUnder(p: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel === '' ? false : !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The mounts that are recorders: mount points strictly inside one of `roots`, one per filesystem.
 * A bind mount of a subdirectory (root != "/") is never a whole recorder; a second mount of the
 * same device (a bind mount of the whole thing) collapses onto the first one (lowest mount id).
 * Mounts stacked on a recorder's mount point count once, as the topmost one.
 */
export function recorderMounts(entries: readonly MountEntry[], roots: readonly string[]): MountEntry[] {
  const candidates = entries.filter((e) => e.root === '/' && roots.some((r) => isUnder(e.mountPoint, r)));
  // topmost mount per mount point: the one whose parent is the other
  const byPoint = new Map<string, MountEntry>();
  for (const e of candidates) {
    const cur = byPoint.get(e.mountPoint);
    if (!cur || e.parentId === cur.mountId) byPoint.set(e.mountPoint, e);
  }
  const byDevice = new Map<string, MountEntry>();
  for (const e of [...byPoint.values()].sort((a, b) => a.mountId - b.mountId)) {
    // FUSE and other anonymous filesystems get a unique minor per mount: major 0 never collides
    const dev = `${e.major}:${e.minor}`;
    if (!byDevice.has(dev)) byDevice.set(dev, e);
  }
  // a recorder mounted inside another recorder's tree is not a docking
  const chosen = [...byDevice.values()];
  return chosen.filter((e) => !chosen.some((o) => o !== e && isUnder(e.mountPoint, o.mountPoint)));
}
