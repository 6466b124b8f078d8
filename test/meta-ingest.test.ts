// Provenance through a real ingest session (in-process): every fixture file held, each with its
// attributed recorder and officer, recording time and media facts; bad media held anyway.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { combineClaims, readIdentityFiles } from '../src/dock/drivers/mass-storage.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { endIngestHelpers } from '../src/ingest/describe.js';
import { ingestRecorder, type IngestContext } from '../src/ingest/session.js';
import { exiftoolPids, ffprobePids } from '../src/meta/index.js';
import { openCatalog } from '../src/store/catalog.js';
import { initStorageRoot } from '../src/store/ocfl.js';
import { findProvenance, listRecordings, provenanceRowFromDerived, type ProvenanceRow } from '../src/store/provenance.js';
import { addAssignment, addOfficer, addRecorder, assignmentsOf } from '../src/store/registry.js';
import { assignmentsAt } from '../src/meta/attribution.js';
import { fixturesDir, manifest, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-meta-ingest-');
let ctx: IngestContext;
const byPath = new Map<string, ProvenanceRow & { source_path: string }>();

beforeAll(async () => {
  const { config, home } = loadConfig({ home: t.dir });
  prepareHome(home);
  initStorageRoot(home.store);
  const db = openCatalog(home.catalog);
  ctx = { db, config, home, logger: pino({ level: 'silent' }), actor: currentActor('cli'), clock: () => new Date('2026-03-16T10:00:00Z') };
  const by = 'test';
  const at = '2026-03-01T00:00:00Z';
  db.transaction(() => {
    addRecorder(db, { serial: '1234567', make: 'Jingwei', model: 'DSJ-JW1', unit: '320102000000', usb_serial: null, registered_at: at, registered_by: by });
    addRecorder(db, { serial: '7654321', make: 'Anbao', model: 'DSJ-AB5', unit: '320102000000', usb_serial: null, registered_at: at, registered_by: by });
    addRecorder(db, { serial: 'A9K3F20', make: 'Generic', model: 'BWC-300', unit: null, usb_serial: null, registered_at: at, registered_by: by });
    for (const n of ['010203', '020304', '030405', '040506']) addOfficer(db, { number: n, name: `officer ${n}`, unit: null, registered_at: at, registered_by: by });
    // A9K3F20: first (wrongly) to 040506, corrected to 030405 for the 16th.
    const wrong = addAssignment(db, { recorder_serial: 'A9K3F20', officer_number: '040506', from_ms: Date.parse('2026-03-16T00:00:00+08:00'), to_ms: Date.parse('2026-03-17T00:00:00+08:00'), supersedes: null, reason: null, created_at: at, created_by: by });
    addAssignment(db, { recorder_serial: 'A9K3F20', officer_number: '030405', from_ms: Date.parse('2026-03-16T00:00:00+08:00'), to_ms: Date.parse('2026-03-17T00:00:00+08:00'), supersedes: wrong, reason: 'wrong officer entered', created_at: at, created_by: by });
  })();
  for (const rec of Object.keys(manifest.recorders)) {
    const root = path.join(fixturesDir, rec);
    // What the dock's mass-storage driver reads from the card (ZFY_INFO.TXT on 7654321).
    const claims = await readIdentityFiles(root);
    const identity = claims.length ? combineClaims('mass-storage', claims) : undefined;
    const summary = await ingestRecorder(ctx, { root, recorderId: rec, officerId: null, slot: null, dockedAt: new Date('2026-03-16T09:00:00Z'), identity });
    expect(summary.status).toBe('done');
    expect(summary.failed).toBe(0);
  }
  for (const r of listRecordings(db)) byPath.set(`${r.recorder_id}/${r.source_path}`, { ...findProvenance(db, r.evidence_number)!, source_path: r.source_path });
});

afterAll(async () => {
  await endIngestHelpers();
  ctx?.db.close();
  t.cleanup();
});

describe('provenance of held fixtures', () => {
  it('every fixture file is held and has a provenance row', () => {
    expect(byPath.size).toBe(manifest.files.length);
    for (const f of manifest.files) expect(byPath.get(`${f.recorder}/${f.cardPath}`), f.file).toBeDefined();
  });

  it.each(manifest.files.map((f) => [f.file, f] as const))('%s', (_n, f) => {
    const p = byPath.get(`${f.recorder}/${f.cardPath}`)!;
    const e = f.expected as null | { make: string | null; model: string | null; serial: string | null; start: string; end: string; durationSeconds: number };
    expect(p.metadata_available).toBe(f.metadataAvailable ? 1 : 0);
    if (!f.metadataAvailable) expect(p.metadata_reason).toBeTruthy();
    if (e) {
      expect(p.recorded_start).toBe(e.start);
      expect(p.recorded_end).toBe(e.end);
      expect(p.duration_seconds).toBe(e.durationSeconds);
      expect([p.make, p.model, p.serial]).toEqual([e.make, e.model, e.serial]);
    }
    expect(p.recorder_id).toBe(f.recorder);
    const officer = (manifest.recorders[f.recorder] as { officer: string | null }).officer;
    if (officer) expect(p.officer_id).toBe(officer);
    expect(p.method).toMatch(/^body-worn recorder/);
  });

  it('the identity file outranks the other sources', () => {
    for (const [key, p] of byPath) {
      if (!key.startsWith('7654321/')) continue;
      expect(p.recorder_source, key).toBe('identity-file');
      expect(p.officer_source, key).toBe('identity-file');
      expect(JSON.parse(p.claims).recorder[0].where).toBe('ZFY_INFO.TXT');
    }
  });

  it('the recorder without officer in names gets the corrected assignment', () => {
    const clip = byPath.get('A9K3F20/DCIM/MOVIE/2026_0316_140000_001.MP4')!;
    expect(clip.officer_id).toBe('030405');
    expect(clip.officer_source).toBe('assignment');
    expect(clip.recorder_source).toBe('file-name' === clip.recorder_source ? 'file-name' : 'metadata');
    expect(JSON.parse(clip.flags)).toEqual([]);
  });

  it('the cut-short clip is held, metadata unavailable with the reason, time from its name', () => {
    const cut = byPath.get('A9K3F20/DCIM/MOVIE/2026_0316_141000_003.MP4')!;
    expect(cut.metadata_available).toBe(0);
    expect(cut.metadata_reason).toMatch(/moov atom not found/);
    expect(cut.recorded_start).toBe('2026-03-16T14:10:00+08:00');
    expect(cut.start_source).toBe('file-name');
    expect(cut.officer_id).toBe('030405');
    expect(JSON.parse(cut.flags).map((f: { code: string }) => f.code)).toEqual(['metadata-unavailable']);
  });

  it('the non-media file is held with metadata unavailable and unknown time flagged', () => {
    const log = byPath.get('A9K3F20/MISC/DEVICE.LOG')!;
    expect(log.metadata_available).toBe(0);
    expect(log.metadata_reason).toMatch(/not a recording/);
    expect(JSON.parse(log.flags).map((f: { code: string }) => f.code)).toContain('recording-time-unknown');
  });

  it("provenance.json of the held object carries the derived facts", () => {
    const r = listRecordings(ctx.db, { recorder: '1234567' })[0];
    const row = ctx.db.prepare('SELECT object_path FROM originals WHERE evidence_number = ?').get(r.evidence_number) as { object_path: string };
    const prov = JSON.parse(readFileSync(path.join(ctx.home.store, row.object_path, 'v1', 'content', 'provenance.json'), 'utf8'));
    expect(prov.derived.provenance.recorder.id).toBe('1234567');
    expect(prov.derived.provenance.officer.id).toBe('010203');
    expect(prov.derived.provenance.recorded.start).toBe('2026-03-15T08:30:00+08:00');
    expect(prov.derived.media.make).toBe('Jingwei');
  });

  it("every provenance row can be rebuilt from the object's provenance.json alone", () => {
    const rows = ctx.db.prepare('SELECT o.object_path, p.* FROM originals o JOIN provenance p USING (evidence_number)').all() as (ProvenanceRow & { object_path: string })[];
    expect(rows.length).toBe(manifest.files.length);
    for (const { object_path, ...live } of rows) {
      const prov = JSON.parse(readFileSync(path.join(ctx.home.store, object_path, 'v1', 'content', 'provenance.json'), 'utf8'));
      expect(provenanceRowFromDerived(live.evidence_number, prov.derived, live.derived_at), live.evidence_number).toEqual(live);
    }
  });

  it('list filters by officer, recorder and time', () => {
    expect(listRecordings(ctx.db, { officer: '010203' }).length).toBe(5);
    expect(listRecordings(ctx.db, { recorder: '7654321' }).length).toBe(4);
    const morning = listRecordings(ctx.db, { fromMs: Date.parse('2026-03-15T08:30:00+08:00'), toMs: Date.parse('2026-03-15T08:41:00+08:00') });
    expect(morning.map((r) => r.file_name)).toEqual([
      '1234567_010203_20260315083000_0001.MP4',
      '1234567_010203_20260315083002_0002.MP4',
      '1234567_010203_20260315083512_0004.JPG',
    ]);
  });

  it('a conflicting docking statement is kept and flagged, and audited', async () => {
    const other = tempDir('evidock-meta-conflict-');
    try {
      const { config, home } = loadConfig({ home: other.dir });
      prepareHome(home);
      initStorageRoot(home.store);
      const db = openCatalog(home.catalog);
      const c2: IngestContext = { ...ctx, db, config, home };
      await ingestRecorder(c2, { root: path.join(fixturesDir, '1234567'), recorderId: '9999999', officerId: null, slot: 'slot-1', dockedAt: new Date() });
      const rows = listRecordings(db, { recorder: '1234567' });
      expect(rows.length).toBe(5);
      const p = findProvenance(db, rows[0].evidence_number)!;
      expect(p.recorder_id).toBe('1234567');
      expect(p.recorder_source).toBe('file-name');
      const claims = JSON.parse(p.claims).recorder.map((c: { source: string; value: string }) => `${c.source}:${c.value}`);
      expect(claims).toEqual(['file-name:1234567', 'metadata:1234567', 'dock:9999999']);
      expect(JSON.parse(p.flags).map((f: { code: string }) => f.code)).toContain('recorder-conflict');
      const audited = db.prepare(`SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'provenance.flagged'`).get() as { n: number };
      expect(audited.n).toBeGreaterThanOrEqual(4);
      db.close();
    } finally {
      other.cleanup();
    }
  });

  it('a correction naming another recorder still retires the row it corrects', () => {
    const db = ctx.db;
    const by = 'test';
    const at = '2026-03-01T00:00:00Z';
    db.transaction(() => {
      const wrong = addAssignment(db, { recorder_serial: '1234567', officer_number: '040506', from_ms: Date.parse('2026-04-01T00:00:00Z'), to_ms: null, supersedes: null, reason: null, created_at: at, created_by: by });
      addAssignment(db, { recorder_serial: '7654321', officer_number: '040506', from_ms: Date.parse('2026-04-01T00:00:00Z'), to_ms: null, supersedes: wrong, reason: 'it was the other recorder', created_at: at, created_by: by });
    })();
    const rows = assignmentsOf(db, ['1234567']);
    const inForce = assignmentsAt(rows.map((a) => ({ id: a.id, recorder: a.recorder_serial, officer: a.officer_number, from: new Date(a.from_ms).toISOString(), to: a.to_ms === null ? null : new Date(a.to_ms).toISOString(), supersedes: a.supersedes })), '1234567', '2026-05-01T00:00:00Z');
    expect(inForce).toEqual([]);
  });

  it('a movie header in local time (a common firmware habit) is corrected when the name proves it, and flagged', async () => {
    const other = tempDir('evidock-meta-localtime-');
    try {
      const card = path.join(other.dir, 'card', 'DCIM');
      mkdirSync(card, { recursive: true });
      const clip = (name: string, creation: string) =>
        execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=5:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-map_metadata', '-1', '-metadata', `creation_time=${creation}`, path.join(card, name)]);
      clip('1234567_010203_20260315090000_0001.MP4', '2026-03-15T09:00:00Z'); // local wall time written as if UTC
      clip('1234567_010203_20260315091000_0002.MP4', '2026-03-15T05:00:00Z'); // simply disagrees
      const { config, home } = loadConfig({ home: path.join(other.dir, 'home') });
      prepareHome(home);
      initStorageRoot(home.store);
      const db = openCatalog(home.catalog);
      await ingestRecorder({ ...ctx, db, config, home }, { root: path.join(other.dir, 'card'), recorderId: '1234567', officerId: null, slot: null, dockedAt: new Date() });
      const rows = listRecordings(db).map((r) => findProvenance(db, r.evidence_number)!);
      const [a, b] = [rows.find((r) => r.name_seq === '0001')!, rows.find((r) => r.name_seq === '0002')!];
      expect(a).toMatchObject({ recorded_start: '2026-03-15T09:00:00+08:00', start_source: 'quicktime-local-time' });
      expect(JSON.parse(a.flags).map((f: { code: string }) => f.code)).toEqual(['start-time-zone-corrected']);
      expect(b).toMatchObject({ recorded_start: '2026-03-15T13:00:00+08:00', start_source: 'quicktime-create-date' });
      expect(JSON.parse(b.flags).map((f: { code: string }) => f.code)).toEqual(['start-time-conflict']);
      db.close();
    } finally {
      other.cleanup();
    }
  });

  it('a failing provenance step never blocks a hold', async () => {
    const other = tempDir('evidock-meta-fail-');
    try {
      const { config, home } = loadConfig({ home: other.dir });
      prepareHome(home);
      initStorageRoot(home.store);
      const db = openCatalog(home.catalog);
      db.exec(`CREATE TRIGGER provenance_refused BEFORE INSERT ON provenance BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;`);
      const summary = await ingestRecorder({ ...ctx, db, config, home }, { root: path.join(fixturesDir, '1234567'), recorderId: '9999999', officerId: null, slot: null, dockedAt: new Date() });
      expect(summary).toMatchObject({ status: 'done', held: 5, failed: 0 });
      expect((db.prepare('SELECT COUNT(*) AS n FROM originals').get() as { n: number }).n).toBe(5);
      expect((db.prepare('SELECT COUNT(*) AS n FROM provenance').get() as { n: number }).n).toBe(0);
      // the savepoint rolled back the conflict's audit entry together with the refused row
      expect((db.prepare(`SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'provenance.flagged'`).get() as { n: number }).n).toBe(0);
      db.close();
    } finally {
      other.cleanup();
    }
  });

  it('no exiftool or ffprobe child is left after the helpers end', async () => {
    const pids = exiftoolPids();
    await endIngestHelpers();
    expect(exiftoolPids()).toEqual([]);
    expect(ffprobePids()).toEqual([]);
    for (const pid of pids) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      expect(alive).toBe(false);
    }
  });
});
