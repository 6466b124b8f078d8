// Issue 11, point 11 (power cut): every file of an object (content, provenance.json, inventories,
// sidecars, declaration) and every directory of it is durable before the object is renamed into
// the store (and so before the catalog says held); after the rename its parent, and the parent
// of each folder created on the way, are durable too. Durable means: the store's filesystem
// synced (syncfs) after the object was last touched, or, where evidock cannot use syncfs (here:
// no perl), an fsync of each of those paths. Watched with strace on the real CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, initHome, repoRoot, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-durable-');
afterAll(() => t.cleanup());

/** Every file and folder under a directory, relative to it ('' is the directory itself). */
function tree(root: string, rel = ''): { files: string[]; dirs: string[] } {
  const out = { files: [] as string[], dirs: [rel] };
  for (const name of readdirSync(path.join(root, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(root, r)).isDirectory()) {
      const sub = tree(root, r);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    } else out.files.push(r);
  }
  return out;
}

/** The strace log of the real CLI ingesting a small card, with "<unfinished ...>" calls joined. */
function tracedIngest(name: string, env: NodeJS.ProcessEnv, extra: string[] = []): { home: string; lines: string[] } {
  const card = path.join(t.dir, `${name}-card`);
  mkdirSync(path.join(card, 'DCIM'), { recursive: true });
  writeFileSync(path.join(card, 'DCIM', 'A_0001.MP4'), Buffer.alloc(300_000, 7));
  writeFileSync(path.join(card, 'NOTE.TXT'), 'a note');
  const home = path.join(t.dir, `${name}-home`);
  const trace = path.join(t.dir, `${name}-trace.txt`);
  initHome(home);
  const calls = 'fsync,fdatasync,syncfs,rename,renameat,renameat2,mkdir,mkdirat,openat,close,write,pwrite64,chmod,fchmod,fchmodat';
  const r = spawnSync('strace', ['-f', '-y', '-s', '4096', '-o', trace, '-e', `trace=${calls}`, process.execPath, binPath, 'ingest', card, '--home', home, '--recorder', 'REC-1', ...extra], {
    cwd: repoRoot,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  // A call that overlaps another thread's is cut by strace into "<unfinished ...>" and
  // "<... resumed>": joined, a flush at the line where it returned, any other call where it began.
  const cut = new Map<string, { start: string; isFlush: boolean }>();
  const lines = readFileSync(trace, 'utf8')
    .split('\n')
    .map((l) => {
      const pid = l.split(' ')[0];
      if (l.endsWith(' <unfinished ...>')) {
        const start = l.slice(0, -' <unfinished ...>'.length);
        const isFlush = /\b(fsync|fdatasync|syncfs)\(/.test(start);
        cut.set(pid, { start, isFlush });
        return isFlush ? '' : start;
      }
      const resumed = /^\d+\s+<\.\.\. \w+ resumed>(.*)$/.exec(l);
      const begun = cut.get(pid);
      if (resumed && begun) {
        cut.delete(pid);
        return begun.isFlush ? begun.start + resumed[1] : '';
      }
      return l;
    });
  return { home, lines };
}

/** Whether the object renamed at each store rename, and its place, were made durable (see the top). */
function durability(home: string, lines: string[]) {
  const fsynced = (p: string, from: number, to: number): boolean =>
    lines.slice(from, to).some((l) => /\b(fsync|fdatasync)\(\d+</.test(l) && l.includes(`<${p}>)`));
  // A syncfs that succeeded, on a folder of the home (one filesystem: the test's temp dir).
  const filesystemSynced = (from: number, to: number): boolean =>
    lines.slice(from, to).some((l) => new RegExp(`\\bsyncfs\\(\\d+<${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[/>].*\\) = 0$`).test(l));
  // The last call before `before` that changed `p` or something in it (not a read-only open, a close or a flush).
  const changes = /\b(write|pwrite64|chmod|fchmod|fchmodat|mkdir|mkdirat|rename|renameat2?)\(|\bopenat\(.*O_(CREAT|WRONLY|RDWR)/;
  const lastTouch = (p: string, before: number): number => {
    let last = -1;
    for (let k = 0; k < before; k++) if (changes.test(lines[k]) && (lines[k].includes(`"${p}`) || lines[k].includes(`<${p}`))) last = k;
    return last;
  };
  const store = path.join(home, 'store');
  const renames = lines
    .map((l, i) => ({ i, m: /rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"/.exec(l) }))
    .filter((x) => x.m && x.m[2].startsWith(store + '/'));
  return renames.map(({ i, m }) => {
    const [from, to] = [m![1], m![2]];
    const object = tree(to);
    const next = renames.find((r) => r.i > i)?.i ?? lines.length;
    // the folders up to the storage root whose entries were made for this object, and where
    const made = [] as { dir: string; at: number }[];
    for (let d = path.dirname(to); d !== store; d = path.dirname(d)) {
      const at = lines.findIndex((l) => /mkdir(?:at)?\(/.test(l) && l.includes(`"${d}"`));
      if (at >= 0) made.push({ dir: d, at });
    }
    const placedAt = Math.max(i, lastTouch(to, next), ...made.map((x) => x.at));
    return {
      files: object.files.length,
      // every file and folder fsynced before the rename; its parent, and the parent of each folder made, after
      eachPathFsynced:
        object.files.every((f) => fsynced(`${from}/${f}`, 0, i)) &&
        object.dirs.every((d) => fsynced(d ? `${from}/${d}` : from, 0, i)) &&
        fsynced(path.dirname(to), i, lines.length) &&
        made.every(({ dir, at }) => fsynced(path.dirname(dir), at, lines.length)),
      // the filesystem synced after the object was last touched and before the rename; and again after it was placed
      syncedBeforeRename: filesystemSynced(lastTouch(from, i) + 1, i),
      syncedAfterPlacing: filesystemSynced(placedAt + 1, lines.length),
    };
  });
}

describe('a held object is durable before the catalog says held', () => {
  it('the store filesystem synced after the object was last touched and before its rename; again after it was placed', () => {
    const { home, lines } = tracedIngest('syncfs', { ...process.env });
    const objects = durability(home, lines);
    expect(objects).toHaveLength(2);
    for (const o of objects) {
      expect(o.files).toBeGreaterThanOrEqual(7);
      expect(o).toMatchObject({ syncedBeforeRename: true, syncedAfterPlacing: true });
    }
  }, 150_000);

  it('without perl (no syncfs): an fsync of each file and folder before the rename, of the parents after', () => {
    const noPerl = path.join(t.dir, 'no-perl');
    mkdirSync(noPerl);
    writeFileSync(path.join(noPerl, 'perl'), '#!/bin/sh\nexit 127\n', { mode: 0o755 });
    // exiftool needs perl too: metadata off, so this case is about the flushes alone
    const config = path.join(t.dir, 'no-metadata.toml');
    writeFileSync(config, '[meta]\nread_metadata = false\n');
    const { home, lines } = tracedIngest('fsync', { ...process.env, PATH: `${noPerl}:${process.env.PATH}` }, ['--config', config]);
    const objects = durability(home, lines);
    expect(objects).toHaveLength(2);
    for (const o of objects) {
      expect(o.files).toBeGreaterThanOrEqual(7);
      expect(o).toMatchObject({ eachPathFsynced: true, syncedBeforeRename: false });
    }
  }, 150_000);
});
