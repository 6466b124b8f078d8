// Two recorders docked at the same time that carry the same bytes (every card has an empty
// EMPTY.DAT; a clip may be copied to two cards): the bytes are held once, the other recorder's
// file is recorded as already held, and neither session fails. Metadata extraction is slowed
// down here, as exiftool and ffprobe slow it down in the daemon, so that both copies are staged
// before either commits. Also: a duplicate object left by a commit cut short does not stop the
// next start, while a commit cut short with bytes not held yet is finished by it; and a recorder
// pulled while an earlier file commits still gets that file held.
import { randomBytes, createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { recoverAtStart } from '../src/ingest/recovery.js';
import { ingestRecorder, type IngestContext } from '../src/ingest/session.js';
import { openCatalog } from '../src/store/catalog.js';
import { initStorageRoot, objectPathFor } from '../src/store/ocfl.js';
import { pendingCommitIntents, recordCommitIntent, startSession } from '../src/store/records.js';
import { tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-concurrent-');
afterAll(() => t.cleanup());
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let ctx: IngestContext;
const shared = randomBytes(3 * 1024 * 1024 + 11);
const cards = {
  A: { 'DCIM/SHARED_0001.MP4': shared, 'RECORD/EMPTY.DAT': Buffer.alloc(0), 'DCIM/A_0002.MP4': randomBytes(200_000) },
  B: { 'DCIM/SHARED_0001.MP4': shared, 'RECORD/EMPTY.DAT': Buffer.alloc(0), 'DCIM/B_0002.MP4': randomBytes(300_000) },
};

function makeCard(name: keyof typeof cards): string {
  const root = path.join(t.dir, `card-${name}`);
  for (const [p, data] of Object.entries(cards[name])) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), data);
  }
  return root;
}

beforeAll(() => {
  const { config, home } = loadConfig({ home: path.join(t.dir, 'home') });
  prepareHome(home);
  initStorageRoot(home.store);
  const db = openCatalog(home.catalog);
  ctx = {
    db,
    config,
    home,
    logger: pino({ level: 'silent' }),
    actor: currentActor('cli'),
    // metadata takes a while (exiftool, ffprobe): both sessions stage their copies before either commits
    describe: () => new Promise((r) => setTimeout(() => r(null), 150)),
  };
});

describe('two recorders with the same bytes, ingested at once', () => {
  it('each distinct content held once, the other copy an "already held" sighting; both sessions done; staging empty', async () => {
    const [a, b] = await Promise.all([
      ingestRecorder(ctx, { root: makeCard('A'), recorderId: 'REC-A', officerId: null, slot: 'A1' }),
      ingestRecorder(ctx, { root: makeCard('B'), recorderId: 'REC-B', officerId: null, slot: 'A2' }),
    ]);
    for (const s of [a, b]) expect(s).toMatchObject({ status: 'done', failed: 0 });
    expect(a.held + b.held).toBe(4); // shared, empty, A_0002, B_0002
    expect(a.alreadyHeld + b.alreadyHeld).toBe(2); // the second copy of shared and of empty
    const held = ctx.db.prepare('SELECT sha256, recorder_id, source_path FROM originals').all() as { sha256: string; recorder_id: string; source_path: string }[];
    const want = new Set([...Object.values(cards.A), ...Object.values(cards.B)].map(sha256));
    expect(new Set(held.map((h) => h.sha256))).toEqual(want);
    expect(held.length).toBe(want.size);
    // every file of both cards is accounted for: held, or seen as already held
    const sightings = ctx.db.prepare("SELECT recorder_id, source_path, outcome FROM sightings WHERE outcome IN ('held', 'already-held')").all() as { recorder_id: string; source_path: string }[];
    for (const [rec, card] of [['REC-A', cards.A], ['REC-B', cards.B]] as const)
      for (const p of Object.keys(card)) expect(sightings.some((s) => s.recorder_id === rec && s.source_path === p), `${rec} ${p}`).toBe(true);
    expect(readdirSync(ctx.home.staging)).toEqual([]);
    expect(pendingCommitIntents(ctx.db)).toEqual([]);
  });

  it('a commit cut short that left a second object of bytes already held: the next start logs it and goes on', async () => {
    const row = ctx.db.prepare('SELECT evidence_number, object_path FROM originals WHERE sha256 = ?').get(sha256(shared)) as { evidence_number: string; object_path: string };
    const dupPath = objectPathFor('urn:evidock:DUPLICATE-1');
    cpSync(path.join(ctx.home.store, row.object_path), path.join(ctx.home.store, dupPath), { recursive: true });
    ctx.db.transaction(() => recordCommitIntent(ctx.db, { evidence_number: 'DUPLICATE-1', staging_dir: path.join(ctx.home.staging, 'gone'), object_path: dupPath, created_at: new Date().toISOString() }))();
    const before = (ctx.db.prepare('SELECT COUNT(*) AS n FROM originals').get() as { n: number }).n;
    const report = await recoverAtStart(ctx);
    expect(report.adopted).toEqual([]);
    expect(pendingCommitIntents(ctx.db)).toEqual([]);
    expect((ctx.db.prepare('SELECT COUNT(*) AS n FROM originals').get() as { n: number }).n).toBe(before);
    expect(existsSync(path.join(ctx.home.store, dupPath)), 'nothing is deleted from the store').toBe(true);
  });
});

describe('a recorder pulled while an earlier file is still committing', () => {
  it('the copies already staged are held before the session ends; the file in flight is not', async () => {
    const root = path.join(t.dir, 'card-pulled');
    mkdirSync(path.join(root, 'DCIM'), { recursive: true });
    const first = randomBytes(100_000);
    writeFileSync(path.join(root, 'DCIM', 'C_0001.MP4'), first);
    writeFileSync(path.join(root, 'DCIM', 'C_0002.MP4'), randomBytes(40 * 1024 * 1024));
    const controller = new AbortController();
    const summary = await ingestRecorder(
      ctx,
      { root, recorderId: 'REC-C', officerId: null, slot: 'A3' },
      {
        signal: controller.signal,
        // pulled as soon as the second file is being copied (the first one's metadata still takes 150 ms)
        onProgress: (p) => {
          if (p.phase === 'copying' && p.fileIndex === 2 && (p.bytesDone ?? 0) > 100_000) controller.abort(Object.assign(new Error('recorder removed'), { code: 'ENODEV' }));
        },
      },
    );
    expect(summary).toMatchObject({ status: 'interrupted', held: 1 });
    const held = ctx.db.prepare("SELECT sha256 FROM originals WHERE recorder_id = 'REC-C'").pluck().all();
    expect(held).toEqual([sha256(first)]);
    expect(readdirSync(ctx.home.staging)).toEqual([]);
  });
});

describe('recovery at start', () => {
  it('an object that reached the store but not the catalog (a stop between the rename and the catalog rows) is re-hashed and adopted', async () => {
    const row = ctx.db.prepare('SELECT evidence_number, object_path, sha256, session_id, recorder_id FROM originals WHERE sha256 = ?').get(sha256(shared)) as { evidence_number: string; object_path: string; sha256: string; session_id: string; recorder_id: string };
    // a second home that crashed right after the rename: the object is there, with its commit intent
    const { config, home } = loadConfig({ home: path.join(t.dir, 'home-crashed') });
    prepareHome(home);
    initStorageRoot(home.store);
    cpSync(path.join(ctx.home.store, row.object_path), path.join(home.store, row.object_path), { recursive: true });
    const db = openCatalog(home.catalog);
    try {
      db.transaction(() => {
        startSession(db, { id: row.session_id, recorder_id: row.recorder_id, source: '/media/card', slot: null, started_at: new Date().toISOString() });
        recordCommitIntent(db, { evidence_number: row.evidence_number, staging_dir: path.join(home.staging, 'gone'), object_path: row.object_path, created_at: new Date().toISOString() });
      })();
      const report = await recoverAtStart({ ...ctx, db, config, home });
      expect(report.adopted).toEqual([row.evidence_number]);
      expect(db.prepare('SELECT sha256 FROM originals WHERE evidence_number = ?').pluck().get(row.evidence_number)).toBe(row.sha256);
      expect(db.prepare("SELECT reason FROM sightings WHERE evidence_number = ? AND outcome = 'held'").pluck().get(row.evidence_number)).toBe('commit finished by recovery at start');
      expect(pendingCommitIntents(db)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

