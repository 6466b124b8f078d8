// Verify-then-wipe: a recorder is cleared only when every file on it is held and verified; each
// deletion is a catalog fact and an audit entry with its digest; anything not held blocks it all.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { ingestRecorder, type IngestContext } from '../src/ingest/session.js';
import { verifyThenWipe } from '../src/ingest/wipe.js';
import { openCatalog } from '../src/store/catalog.js';
import { initStorageRoot } from '../src/store/ocfl.js';
import { fixturesDir, tempDir } from './helpers/evidock.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();

describe('verify-then-wipe', () => {
  let t: ReturnType<typeof tempDir>;
  let ctx: IngestContext;
  let card: string;

  beforeEach(() => {
    t = tempDir('evidock-wipe-');
    const { config, home } = loadConfig({ home: path.join(t.dir, 'home') });
    prepareHome(home);
    initStorageRoot(home.store);
    ctx = { db: openCatalog(home.catalog), config, home, logger: pino({ level: 'silent' }), actor: currentActor('daemon') };
    card = path.join(t.dir, 'card');
    cpSync(path.join(fixturesDir, '1234567'), card, { recursive: true });
  });
  afterEach(() => {
    ctx.db.close();
    t.cleanup();
  });

  const ingest = () => ingestRecorder(ctx, { root: card, recorderId: '1234567', slot: 'A1' });

  it('every file held and verified: all deleted, each logged with its digest, empty folders removed', async () => {
    const before = files(card);
    const s = await ingest();
    expect(s.held).toBe(before.length);
    let writable = 0;
    let readOnlyAgain = 0;
    const r = await verifyThenWipe(ctx, { root: card, recorderId: '1234567', slot: 'A1', sessionId: s.sessionId }, {
      makeWritable: async () => (writable++, { ok: true }),
      makeReadOnly: async () => void readOnlyAgain++,
    });
    expect(r).toEqual({ status: 'wiped', wiped: before.length, blockers: [], errors: [] });
    expect([writable, readOnlyAgain]).toEqual([1, 1]);
    expect(readdirSync(card)).toEqual([]);
    const wipes = ctx.db.prepare('SELECT w.source_path, w.sha256, o.sha256 AS held FROM recorder_wipes w JOIN originals o USING (evidence_number)').all() as any[];
    expect(wipes.map((w) => w.source_path).sort()).toEqual(before);
    for (const w of wipes) expect(w.sha256).toBe(w.held);
    const audit = ctx.db.prepare(`SELECT type, COUNT(*) AS n FROM audit_entries WHERE type LIKE 'recorder.%wipe%' GROUP BY type ORDER BY type`).all();
    expect(audit).toEqual([
      { type: 'recorder.file.wiped', n: before.length },
      { type: 'recorder.wiped', n: 1 },
    ]);
    expect(() => ctx.db.prepare('DELETE FROM recorder_wipes').run()).toThrow(/append-only/);
  });

  it('one file not held blocks the whole wipe: nothing deleted, the reason names the file', async () => {
    const s = await ingest();
    writeFileSync(path.join(card, 'DCIM', 'LATE.MP4'), 'recorded after the copy');
    const before = files(card);
    let asked = false;
    const r = await verifyThenWipe(ctx, { root: card, recorderId: '1234567', slot: 'A1', sessionId: s.sessionId }, { makeWritable: async () => ((asked = true), { ok: true }) });
    expect(r.status).toBe('blocked');
    expect(r.wiped).toBe(0);
    expect(r.blockers).toEqual([expect.stringMatching(/^DCIM\/LATE\.MP4: not held/)]);
    expect(asked).toBe(false); // never even made writable
    expect(files(card)).toEqual(before);
    expect((ctx.db.prepare('SELECT COUNT(*) AS n FROM recorder_wipes').get() as any).n).toBe(0);
    expect((ctx.db.prepare(`SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'recorder.wipe.blocked'`).get() as any).n).toBe(1);
  });

  it('a held copy that no longer verifies blocks the wipe', async () => {
    const s = await ingest();
    const o = ctx.db.prepare('SELECT object_path, content_path FROM originals LIMIT 1').get() as any;
    const held = path.join(ctx.home.store, o.object_path, o.content_path);
    chmodSync(held, 0o644);
    appendFileSync(held, 'x');
    const r = await verifyThenWipe(ctx, { root: card, recorderId: '1234567', sessionId: s.sessionId });
    expect(r.status).toBe('blocked');
    expect(r.blockers.join('\n')).toMatch(/does not verify/);
    expect(files(card).length).toBeGreaterThan(0);
  });

  it('a mount that cannot be made writable blocks the wipe with the reason', async () => {
    const s = await ingest();
    const before = files(card);
    const r = await verifyThenWipe(ctx, { root: card, recorderId: '1234567', sessionId: s.sessionId }, {
      makeWritable: async () => ({ ok: false, reason: 'the recorder is mounted read-only by the system' }),
    });
    expect(r).toMatchObject({ status: 'blocked', blockers: ['the recorder is mounted read-only by the system'] });
    expect(files(card)).toEqual(before);
  });

  it('a file whose absolute path is longer than PATH_MAX is verified and wiped like any other; its empty folders go too', async () => {
    // 18 folders of 240 bytes below the card, made one relative step at a time (mkdir -p of the whole path fails).
    const name = 'L'.repeat(240);
    const script = `import os, sys\nos.chdir(sys.argv[1])\nos.mkdir('DEEP'); os.chdir('DEEP')\nfor i in range(18):\n    os.mkdir('${name}'); os.chdir('${name}')\nopen('LONG_0001.MP4', 'wb').write(b'x' * 5000)\n`;
    const made = spawnSync('python3', ['-c', script, card]);
    expect(made.status, made.stderr.toString()).toBe(0);
    try {
      const s = await ingest();
      expect(s.failed).toBe(0);
      const r = await verifyThenWipe(ctx, { root: card, recorderId: '1234567', slot: 'A1', sessionId: s.sessionId });
      expect(r).toEqual({ status: 'wiped', wiped: s.held, blockers: [], errors: [] });
      expect(existsSync(path.join(card, 'DEEP')), 'the deep folders, emptied, are removed').toBe(false);
      const wiped = ctx.db.prepare("SELECT COUNT(*) AS n FROM recorder_wipes WHERE source_path LIKE 'DEEP/%LONG_0001.MP4'").get() as { n: number };
      expect(wiped.n).toBe(1);
    } finally {
      spawnSync('rm', ['-rf', path.join(card, 'DEEP')]); // rm walks relative to folders
    }
  });

  it('a symlink on the recorder (cannot be held) blocks the wipe', async () => {
    const s = await ingest();
    symlinkSync('/etc/passwd', path.join(card, 'link'));
    const r = await verifyThenWipe(ctx, { root: card, recorderId: '1234567', sessionId: s.sessionId });
    expect(r.blockers).toEqual(['link: a symlink, not a regular file, so it cannot be held']);
    expect(existsSync(path.join(card, 'PHOTO'))).toBe(true);
  });
});
