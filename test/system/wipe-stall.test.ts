// Verify-then-wipe on a card that stops answering (issue 11 point 13): the wipe re-reads every
// file on the card before deleting anything; a card that gives no answer for ingest.stall_seconds
// blocks the wipe with "the card stopped answering" and the file, instead of holding the slot
// for ever. A real FUSE card (faultyfs.py's hang control). Skips LOUDLY without root/FUSE.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../../src/audit/log.js';
import { loadConfig, prepareHome } from '../../src/home.js';
import { CARD_STALLED } from '../../src/hash/stall.js';
import { ingestRecorder, type IngestContext } from '../../src/ingest/session.js';
import { verifyThenWipe } from '../../src/ingest/wipe.js';
import { openCatalog } from '../../src/store/catalog.js';
import { initStorageRoot } from '../../src/store/ocfl.js';
import { tempDir } from '../helpers/evidock.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/wipe-stall.test.ts', missing);

describe.skipIf(missing.length > 0)('verify-then-wipe on a card that stops answering (FUSE, root)', () => {
  const tmp = tempDir('evidock-wipe-stall-');
  const hang = path.join(tmp.dir, 'faultyfs.hang');
  let mount: FuseMount | undefined;
  let ctx: IngestContext | undefined;
  afterAll(() => {
    rmSync(hang, { force: true }); // the read given up on returns
    ctx?.db.close();
    mount?.unmount();
    tmp.cleanup();
  });

  it('the wipe is blocked with the reason and the file after the stall time; nothing is deleted', async () => {
    const backing = path.join(tmp.dir, 'card');
    mkdirSync(path.join(backing, 'DCIM'), { recursive: true });
    writeFileSync(path.join(backing, 'DCIM', 'A_0001.MP4'), Buffer.alloc(300_000, 1));
    const mnt = path.join(tmp.dir, 'mnt');
    mkdirSync(mnt);
    mount = await mountFuse('faultyfs.py', backing, mnt);
    const homeDir = path.join(tmp.dir, 'home');
    mkdirSync(homeDir);
    writeFileSync(path.join(homeDir, 'evidock.toml'), '[ingest]\nstall_seconds = 5\n[meta]\nread_metadata = false\n');
    const { config, home } = loadConfig({ home: homeDir });
    prepareHome(home);
    initStorageRoot(home.store);
    ctx = { db: openCatalog(home.catalog), config, home, logger: pino({ level: 'silent' }), actor: currentActor('daemon') };
    const s = await ingestRecorder(ctx, { root: mnt, recorderId: 'R1', slot: 'A1' });
    expect(s).toMatchObject({ held: 1, failed: 0 });

    writeFileSync(hang, '1000'); // every read past byte 1000 now waits
    let madeWritable = 0;
    const r = await verifyThenWipe(ctx, { root: mnt, recorderId: 'R1', slot: 'A1', sessionId: s.sessionId }, { makeWritable: async () => (madeWritable++, { ok: true }) });
    expect(r.status).toBe('blocked');
    expect(r.wiped).toBe(0);
    expect(r.blockers).toHaveLength(1);
    expect(r.blockers[0]).toMatch(/^DCIM\/A_0001\.MP4: cannot be read on the recorder \(/);
    expect(r.blockers[0]).toContain(`${CARD_STALLED}: no answer for 5 s`);
    expect(madeWritable, 'never made writable: nothing was to be deleted').toBe(0);
    const blocked = ctx.db.prepare("SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'recorder.wipe.blocked'").get() as { n: number };
    expect(blocked.n).toBe(1);
  }, 120_000);
});
