// Issue 15, disc images: a case file's disc and an approved copy's disc are ISO 9660 images
// (Joliet + Rock Ridge) written with xorriso; mounted read-only (loop, root) they verify with
// `evidock copy verify` (no home) and `sha256sum -c`, and carry the statement and a Chinese README.
// An unapproved copy gets no disc. The image is mounted with the kernel's iso9660 (loop, ro) where
// the kernel has it, else with fuseiso (FUSE, ro: this container's kernel has no isofs module).
// Skips LOUDLY when not root or tools are missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOriginals, readyHome, runCli, tempDir } from '../helpers/evidock.js';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (loop mounts)');
const kernelIso = readFileSync('/proc/filesystems', 'utf8').includes('iso9660');
if (!kernelIso && !(have('fuseiso') && existsSync('/dev/fuse'))) missing.push('a way to mount ISO 9660: the kernel iso9660 module, or fuseiso (Debian package fuseiso) and /dev/fuse');
for (const [cmd, pkg] of [['xorriso', 'xorriso'], ['mount', 'mount'], ['sha256sum', 'coreutils'], ['pdftotext', 'poppler-utils']]) if (!have(cmd)) missing.push(`${cmd} (Debian package ${pkg})`);
if (!existsSync(path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js'))) missing.push('dist/ (run `npm run build`)');
if (missing.length) console.warn(`\n*** SKIPPING disc image test (test/system/cases-disc.test.ts): missing ${missing.join('; ')} ***\n`);

describe.skipIf(missing.length > 0)('disc images of a case file and of an approved copy (root: loop mount)', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const cli = (...args: string[]) => runCli(['--home', home, ...args]);
  const mounted: string[] = [];
  let held: { evidence_number: string; sha256: string }[];

  function mountReadOnly(iso: string): string {
    const at = path.join(tmp.dir, `mnt-${mounted.length}`);
    mkdirSync(at);
    const r = kernelIso
      ? spawnSync('mount', ['-o', 'loop,ro', '-t', 'iso9660', iso, at], { encoding: 'utf8' })
      : spawnSync('fuseiso', ['-p', iso, at, '-o', 'ro'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount ${iso}: ${r.stderr}`);
    mounted.push(at);
    return at;
  }

  beforeAll(() => {
    readyHome(home, ['7654321']);
    held = heldOriginals(home).slice(0, 3);
    for (const [n, name] of [['020304', '李四'], ['900001', '赵局长']]) expect(cli('officers', 'add', n, '--name', name).code).toBe(0);
    expect(cli('approvers', 'add', '900001').code).toBe(0);
    expect(cli('case', 'open', 'XZ-2026-077', '--action-ended', '2026-03-15', '--officer', '020304').code).toBe(0);
    for (const h of held) expect(cli('case', 'add', 'XZ-2026-077', h.evidence_number, '--proves', '群体性事件现场').code).toBe(0);
  });
  afterAll(() => {
    for (const m of mounted.reverse()) spawnSync(kernelIso ? 'umount' : 'fusermount', kernelIso ? [m] : ['-u', m]);
    tmp.cleanup();
  });

  it("a case file's disc mounts read-only and verifies with evidock copy verify and sha256sum -c", () => {
    const iso = path.join(tmp.dir, 'XZ-2026-077.iso');
    const r = cli('disc', 'XZ-2026-077', '--out', iso, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ label: 'EVIDOCK_XZ_2026_077', subject: { case: 'XZ-2026-077' } });
    expect(readdirSync(tmp.dir).filter((n) => n.includes('partial'))).toEqual([]);
    const at = mountReadOnly(iso);
    expect(readFileSync('/proc/self/mounts', 'utf8')).toMatch(new RegExp(`${at} (iso9660|fuse\\.fuseiso) ro,`));
    expect(readdirSync(path.join(at, 'data')).map((n) => n.replace(/\.[^.]*$/, '')).sort()).toEqual(held.map((h) => h.evidence_number).sort());
    for (const m of ['manifest-sha256.txt', 'tagmanifest-sha256.txt']) {
      const sums = spawnSync('sha256sum', ['--strict', '-c', m], { cwd: at, encoding: 'utf8' });
      expect(sums.status, sums.stdout + sums.stderr).toBe(0);
    }
    const verify = runCli(['copy', 'verify', at, '--json'], { cwd: tmp.dir, env: { EVIDOCK_HOME: path.join(tmp.dir, 'nowhere') } });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout).recordings).toHaveLength(3);
    expect(readFileSync(path.join(at, 'README.txt'), 'utf8')).toContain('核验方法');
    const text = spawnSync('pdftotext', [path.join(at, 'statement', 'statement.pdf'), '-'], { encoding: 'utf8' }).stdout;
    for (const h of held) expect(text).toContain(h.evidence_number);
    expect(JSON.parse(readFileSync(path.join(at, 'statement', 'statement.json'), 'utf8')).case.ref).toBe('XZ-2026-077');
  });

  it("an approved copy's disc verifies too; an unapproved one gets no disc (exit 1)", () => {
    expect(cli('copy', 'request', held[0].evidence_number, '--requester', '当事人 陈某', '--reason', '申请复制').code).toBe(0);
    const early = path.join(tmp.dir, 'early.iso');
    const refused = cli('disc', '1', '--out', early);
    expect(refused.code).toBe(1);
    expect(existsSync(early)).toBe(false);
    expect(cli('copy', 'approve', '1', '--by', '900001').code).toBe(0);
    const iso = path.join(tmp.dir, 'copy-1.iso');
    const r = cli('disc', '1', '--out', iso, '--label', 'copy one');
    expect(r.code, r.stderr).toBe(0);
    const at = mountReadOnly(iso);
    expect(readFileSync(path.join(at, 'bag-info.txt'), 'utf8')).toContain('Evidock-Requester: 当事人 陈某');
    expect(runCli(['copy', 'verify', at], { cwd: tmp.dir }).code).toBe(0);
    expect(spawnSync('sha256sum', ['-c', 'manifest-sha256.txt'], { cwd: at }).status).toBe(0);
    expect(cli('disc', 'NO-SUCH-CASE', '--out', path.join(tmp.dir, 'x.iso')).code).toBe(2);

    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    try {
      const rows = (db.prepare(`SELECT entry FROM audit_entries WHERE type IN ('disc.made', 'copy.made') ORDER BY seq`).all() as { entry: string }[]).map((e) => JSON.parse(e.entry));
      expect(rows.map((e) => [e.type, e.data.case ?? e.data.request, e.data.label ?? e.data.disc])).toEqual([
        ['disc.made', 'XZ-2026-077', 'EVIDOCK_XZ_2026_077'],
        ['copy.made', 1, 'COPY_ONE'],
        ['disc.made', 1, 'COPY_ONE'],
      ]);
      expect(rows[1].data).toMatchObject({ requester: '当事人 陈某', approver: '900001', out: iso });
    } finally {
      db.close();
    }
  });
});
