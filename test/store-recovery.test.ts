// Recovery at start through the store's door (issue 11, points 9 and 1): an original adopted by
// recovery (a stop between the move into the store and the catalog commit) gets the same
// provenance row a normal hold writes, mapped from its provenance.json, and so its recording
// time and facts; and recovery removes only the staging entries evidock made (marked).
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { endIngestHelpers } from '../src/ingest/describe.js';
import { recoverAtStart } from '../src/ingest/recovery.js';
import { catchUpFacts } from '../src/facts/index.js';
import { ingestRecorder, originalsOf, type IngestContext } from '../src/ingest/session.js';
import { openCatalog } from '../src/store/catalog.js';
import { initStorageRoot } from '../src/store/ocfl.js';
import { findProvenance } from '../src/store/provenance.js';
import { recordCommitIntent, startSession, type OriginalRow } from '../src/store/records.js';
import { recordingTimes } from '../src/store/rules-facts.js';
import { fixturesDir, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-store-recovery-');
let ctx: IngestContext;

function freshHome(name: string): IngestContext {
  const { config, home } = loadConfig({ home: path.join(t.dir, name) });
  prepareHome(home);
  initStorageRoot(home.store);
  const db = openCatalog(home.catalog);
  return { db, config, home, logger: pino({ level: 'silent' }), actor: currentActor('cli'), clock: () => new Date('2026-03-16T10:00:00Z') };
}

beforeAll(async () => {
  ctx = freshHome('home');
  const s = await ingestRecorder(ctx, { root: path.join(fixturesDir, '1234567'), recorderId: '1234567', officerId: null, slot: null, dockedAt: new Date('2026-03-16T09:59:00Z') });
  expect(s).toMatchObject({ status: 'done', failed: 0 });
}, 60_000);

afterAll(async () => {
  await endIngestHelpers();
  ctx?.db.close();
  t.cleanup();
});

describe('an original adopted by recovery', () => {
  it('gets the provenance row a normal hold writes (from its provenance.json), and its recording time from the catch-up', async () => {
    const held = ctx.db.prepare("SELECT * FROM originals WHERE file_name LIKE '%.MP4' ORDER BY evidence_number LIMIT 1").get() as OriginalRow;
    const liveRow = findProvenance(ctx.db, held.evidence_number);
    expect(liveRow?.recorded_start).toBeTruthy();
    const [liveTimes] = recordingTimes(ctx.db, [held.evidence_number]);
    // a second home that stopped right after the move into the store: the object is there, with its commit intent
    const crashed = freshHome('home-crashed');
    try {
      cpSync(path.join(ctx.home.store, held.object_path), path.join(crashed.home.store, held.object_path), { recursive: true });
      crashed.db.transaction(() => {
        startSession(crashed.db, { id: held.session_id, recorder_id: held.recorder_id, source: '/media/card', slot: null, started_at: held.held_at });
        recordCommitIntent(crashed.db, { evidence_number: held.evidence_number, staging_dir: path.join(crashed.home.staging, 'gone'), object_path: held.object_path, created_at: held.held_at });
      })();
      const report = await recoverAtStart(crashed);
      expect(report.adopted).toEqual([held.evidence_number]);
      expect(findProvenance(crashed.db, held.evidence_number)).toEqual(liveRow);
      expect(catchUpFacts(crashed)).toBe(1);
      const [times] = recordingTimes(crashed.db, [held.evidence_number]);
      expect(times?.start_at).not.toBeNull();
      expect([times?.start_at, times?.end_at, times?.officer_id]).toEqual([liveTimes?.start_at, liveTimes?.end_at, liveTimes?.officer_id]);
    } finally {
      crashed.db.close();
    }
  });
});

describe('staging at start', () => {
  it('entries evidock made (marked) are removed; an entry it did not make is left where it is', async () => {
    const other = freshHome('home-staging');
    try {
      const ours = originalsOf(other).stage(Buffer.from('DCIM/A_0001.MP4'), 'session-1');
      writeFileSync(ours.contentFile, 'half a copy');
      const foreign = path.join(other.home.staging, 'not-evidocks');
      mkdirSync(foreign);
      writeFileSync(path.join(foreign, 'precious.txt'), 'someone else put this here');
      const report = await recoverAtStart(other);
      expect(report.discardedStaging).toHaveLength(1);
      expect(existsSync(ours.contentFile)).toBe(false);
      expect(readdirSync(other.home.staging)).toEqual(['not-evidocks']);
      expect(existsSync(path.join(foreign, 'precious.txt'))).toBe(true);
    } finally {
      other.db.close();
    }
  });
});
