// A card lazily unmounted (`umount -l`, what systemd's LazyUnmount does to a pulled recorder)
// between two files: its mount point stays behind, listable and empty, so the next file is simply
// "not found". The session must see the card is gone (its root is on another device than when
// docked) and end interrupted, with no file failed, not "done, 1 file failed: ENOENT" (the unplug
// campaign's finding). A real loop-mounted ext4 card; skips LOUDLY without root and mkfs.ext4.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../../src/audit/log.js';
import { loadConfig, prepareHome } from '../../src/home.js';
import { ingestRecorder, type IngestContext } from '../../src/ingest/session.js';
import { openCatalog } from '../../src/store/catalog.js';
import { initStorageRoot } from '../../src/store/ocfl.js';
import { tempDir } from '../helpers/evidock.js';
import { warnSkipped } from './harness/fuse.js';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (loop mounts)');
if (spawnSync('sh', ['-c', 'command -v mkfs.ext4'], { stdio: 'ignore' }).status !== 0) missing.push('mkfs.ext4 (e2fsprogs)');
warnSkipped('test/system/lazy-unmount.test.ts', missing);

describe.skipIf(missing.length > 0)('a card lazily unmounted between two files (loop mount, root)', () => {
  const tmp = tempDir('evidock-lazy-unmount-');
  const mnt = path.join(tmp.dir, 'mnt');
  let ctx: IngestContext | undefined;
  afterAll(() => {
    ctx?.db.close();
    if (readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mnt} `)) spawnSync('umount', ['-l', mnt]);
    tmp.cleanup();
  });

  it('ends the session interrupted, the first file held, nothing failed', async () => {
    const card = path.join(tmp.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    writeFileSync(path.join(card, 'DCIM', 'A_0001.MP4'), Buffer.alloc(200_000, 1));
    writeFileSync(path.join(card, 'DCIM', 'B_0002.MP4'), Buffer.alloc(200_000, 2));
    const image = path.join(tmp.dir, 'card.ext4');
    expect(spawnSync('mkfs.ext4', ['-q', '-F', '-d', card, image, '8M']).status).toBe(0);
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-o', 'loop,ro,noload', image, mnt]).status).toBe(0);

    const homeDir = path.join(tmp.dir, 'home');
    mkdirSync(homeDir);
    writeFileSync(path.join(homeDir, 'evidock.toml'), '[meta]\nread_metadata = false\n');
    const { config, home } = loadConfig({ home: homeDir });
    prepareHome(home);
    initStorageRoot(home.store);
    ctx = { db: openCatalog(home.catalog), config, home, logger: pino({ level: 'silent' }), actor: currentActor('daemon') };
    let pulled = false;
    const s = await ingestRecorder(ctx, { root: mnt, recorderId: 'R1', slot: 'A1' }, {
      onProgress: (p) => {
        // Pulled as the second file is about to be opened.
        if (!pulled && p.fileIndex === 2) pulled = spawnSync('umount', ['-l', mnt]).status === 0;
      },
    });
    expect(pulled).toBe(true);
    expect({ status: s.status, held: s.held, failed: s.failed, problems: s.problems }).toEqual({ status: 'interrupted', held: 1, failed: 0, problems: [] });
  }, 120_000);
});
