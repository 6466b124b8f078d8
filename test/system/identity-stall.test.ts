// A card that hangs while its identity file is read (issue 11 point 13): identifying it gives up
// after the stall time with an empty identity that says the card stopped answering, so the slot
// is never stuck at "identifying" (the session's own reads then fail the card with the reason).
// FUSE (faultyfs.py, its hang control on ZFY_INFO.TXT); skips LOUDLY without root/FUSE.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { identifyDocked } from '../../src/dock/identify.js';
import { tempDir } from '../helpers/evidock.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/identity-stall.test.ts', missing);

describe.skipIf(missing.length > 0)('a card that hangs while its identity is read (FUSE, root)', () => {
  const tmp = tempDir('evidock-identity-stall-');
  let fuse: FuseMount | undefined;
  const hang = path.join(tmp.dir, 'faultyfs.hang');
  afterAll(() => {
    rmSync(hang, { force: true });
    fuse?.unmount();
    tmp.cleanup();
  });

  it('gives up after the stall time: an empty identity saying the card stopped answering', async () => {
    const card = path.join(tmp.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    writeFileSync(path.join(card, 'ZFY_INFO.TXT'), 'cSerial=7654321\r\nuserNo=020304\r\n');
    writeFileSync(path.join(card, 'DCIM', 'A.MP4'), 'not really a movie');
    const mnt = path.join(tmp.dir, 'mnt');
    mkdirSync(mnt);
    fuse = await mountFuse('faultyfs.py', card, mnt, ['--match', '*ZFY_INFO.TXT']);
    // Answering: the identity is read.
    expect(await identifyDocked({ mountPath: mnt, stallMs: 10_000 })).toMatchObject({ driver: 'mass-storage', claims: [expect.objectContaining({ deviceId: '7654321' })] });
    // Hung on the identity file's first byte: given up on after 2 s, not waited for.
    writeFileSync(hang, '0');
    const started = Date.now();
    const identity = await identifyDocked({ mountPath: mnt, stallMs: 2000 });
    const waited = Date.now() - started;
    rmSync(hang, { force: true });
    expect(identity).toMatchObject({ driver: 'none', claims: [] });
    expect(identity.conflicts).toEqual(["the recorder's identity could not be read: the card stopped answering: no answer for 2 s reading its identity files"]);
    expect(waited).toBeLessThan(60_000);
  });
});
