// Issue 11, point 11 (power cut): every file of an object (content, provenance.json, inventories,
// sidecars, declaration) and every directory of it is fsynced before the object is renamed into
// the store (and so before the catalog says held); after the rename its parent, and the parent
// of each folder created on the way, are fsynced. Watched with strace on the real CLI.
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

describe('a held object is durable before the catalog says held', () => {
  it('fsync of each of its files and folders before the rename; of the parents after', () => {
    const card = path.join(t.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    writeFileSync(path.join(card, 'DCIM', 'A_0001.MP4'), Buffer.alloc(300_000, 7));
    writeFileSync(path.join(card, 'NOTE.TXT'), 'a note');
    const home = path.join(t.dir, 'home');
    const trace = path.join(t.dir, 'trace.txt');
    initHome(home);
    const r = spawnSync(
      'strace',
      ['-f', '-y', '-s', '4096', '-o', trace, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,mkdir,mkdirat', process.execPath, binPath, 'ingest', card, '--home', home, '--recorder', 'REC-1'],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env }, timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    // A call that overlaps another thread's is cut by strace into "<unfinished ...>" and
    // "<... resumed>": joined, an fsync at the line where it returned, any other call where it began.
    const cut = new Map<string, { start: string; isFlush: boolean }>();
    const lines = readFileSync(trace, 'utf8')
      .split('\n')
      .map((l) => {
        const pid = l.split(' ')[0];
        if (l.endsWith(' <unfinished ...>')) {
          const start = l.slice(0, -' <unfinished ...>'.length);
          const isFlush = /\b(fsync|fdatasync)\(/.test(start);
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
    const synced = (p: string, from: number, to: number): boolean =>
      lines.slice(from, to).some((l) => /\b(fsync|fdatasync)\(\d+</.test(l) && l.includes(`<${p}>)`));
    const store = path.join(home, 'store');
    const renames = lines
      .map((l, i) => ({ i, m: /rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"/.exec(l) }))
      .filter((x) => x.m && x.m[2].startsWith(store + '/'));
    expect(renames).toHaveLength(2);
    for (const { i, m } of renames) {
      const [from, to] = [m![1], m![2]];
      const object = tree(to);
      expect(object.files.length).toBeGreaterThanOrEqual(7);
      for (const f of object.files) expect(synced(`${from}/${f}`, 0, i), `${f} fsynced before the rename`).toBe(true);
      for (const d of object.dirs) expect(synced(d ? `${from}/${d}` : from, 0, i), `folder '${d}' fsynced before the rename`).toBe(true);
      // after the rename: its parent, and up to the storage root each folder whose entry was made for it
      expect(synced(path.dirname(to), i, lines.length), 'parent of the rename fsynced').toBe(true);
      for (let d = path.dirname(to); d !== store; d = path.dirname(d)) {
        const made = lines.findIndex((l) => /mkdir(?:at)?\(/.test(l) && l.includes(`"${d}"`));
        if (made >= 0) expect(synced(path.dirname(d), made, lines.length), `${path.dirname(d)} fsynced after ${d} was made`).toBe(true);
      }
    }
  }, 150_000);
});
