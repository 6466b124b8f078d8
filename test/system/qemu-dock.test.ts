// The dock room on a real kernel: a QEMU guest with an xHCI controller and a hub; a FAT32 and an
// exFAT recorder are hot-plugged on two hub ports; MountDock (self policy) mounts them read-only,
// names each slot by its port and reports every file; and the shipped udev rule is checked with
// `udevadm test` against the real block devices. Skips LOUDLY where QEMU or tools are missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGuest, makeRecorderImage, qemuMissing, QemuGuest, type ManifestLine } from './harness/qemu.js';

const missing = process.env.EVIDOCK_SKIP_QEMU ? ['EVIDOCK_SKIP_QEMU is set'] : qemuMissing({ exfat: true });
if (missing.length) console.warn(`\n*** SKIPPING QEMU dock test (test/system/qemu-dock.test.ts): ${missing.length === 1 && missing[0].startsWith("EVIDOCK_SKIP_QEMU") ? "" : "missing "}${missing.join('; ')} ***\n`);

describe.skipIf(missing.length > 0)('USB docks on a real kernel (QEMU guest, dock room only)', () => {
  let run = '';
  let guest: QemuGuest | undefined;
  const manifests: Record<string, ManifestLine[]> = {};

  beforeAll(async () => {
    run = mkdtempSync(path.join(tmpdir(), 'evidock-qemu-dock-'));
    const guestDir = buildGuest();
    manifests.BWC0000001 = makeRecorderImage(path.join(run, 'r1.img'), 'BWC0000001', 'fat32', 4);
    manifests.BWC0000002 = makeRecorderImage(path.join(run, 'r2.img'), 'BWC0000002', 'exfat', 4);
    guest = await QemuGuest.boot({
      guestDir,
      outDir: run,
      memMiB: 768,
      guestScript: `#!/bin/sh\nexport SLOTS='{"1-1.1":"A1","1-1.2":"A2"}'\nexec node /app/test/system/guest/observe.mjs\n`,
      onLine: process.env.EVIDOCK_QEMU_VERBOSE ? (l) => console.log(`guest| ${l}`) : undefined,
    });
    await guest.waitFor('READY', () => true, 180_000);
  }, 300_000);

  afterAll(async () => {
    await guest?.quit();
    if (run && !process.env.EVIDOCK_QEMU_KEEP) rmSync(run, { recursive: true, force: true });
  });

  it('two recorders on two hub ports: docked, slots named by port, every file as on the card', async () => {
    const g = guest!;
    const t0 = Date.now();
    await g.plug({ id: 'r1', image: path.join(run, 'r1.img'), port: '1.1', serial: 'BWC0000001', readOnly: true });
    await g.plug({ id: 'r2', image: path.join(run, 'r2.img'), port: '1.2', serial: 'BWC0000002', readOnly: true });
    const d1 = (await g.waitFor('DOCKED', (d) => d.usb?.serial === 'BWC0000001', 90_000)).data;
    const d2 = (await g.waitFor('DOCKED', (d) => d.usb?.serial === 'BWC0000002', 90_000)).data;
    console.log(`two recorders plugged -> both docked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(d1).toMatchObject({ slot: 'A1', usb: { vendorId: 0x46f4, productId: 0x0001, portPath: '1-1.1' }, recorderHint: 'BWC0000001', writable: false });
    expect(d2).toMatchObject({ slot: 'A2', usb: { portPath: '1-1.2', serial: 'BWC0000002' }, recorderHint: 'BWC0000002' });
    expect(d1.identity.claims.map((c: { where: string }) => c.where)).toContain('RECORDER.JSON');
    const sorted = (files: ManifestLine[]) => [...files].sort((a, b) => (Buffer.from(a.path) < Buffer.from(b.path) ? -1 : 1));
    expect(sorted(d1.files)).toEqual(sorted(manifests.BWC0000001));
    expect(sorted(d2.files)).toEqual(sorted(manifests.BWC0000002));

    // the shipped udev rule, on the real devices: systemd-mount read-only under /run/evidock/media
    for (const d of [d1, d2]) {
      const u = (await g.waitFor('UDEVTEST', (x) => x.mountPath === d.mountPath, 60_000)).data;
      expect(u.error).toBeUndefined();
      const dev = u.dev as string;
      const kernel = dev.replace('/dev/', '');
      expect(u.runs.add).toContainEqual(
        `run: '/usr/bin/systemd-mount --no-block --collect --automount=no --owner=evidock --options=ro,nosuid,nodev,noexec,fmask=0133,dmask=0022 --property=LazyUnmount=yes ${dev} /run/evidock/media/${kernel}'`,
      );
      expect(u.runs.remove).toContainEqual(`run: '/usr/bin/systemd-mount --no-block --umount /run/evidock/media/${kernel}'`);
    }

    await g.unplug('r1');
    const u = (await g.waitFor('UNDOCKED', (d) => d.slot === 'A1', 30_000)).data;
    expect(u.mountPath).toBe('/run/evidock/media/A1');
    await g.unplug('r2');
    await g.waitFor('UNDOCKED', (d) => d.slot === 'A2', 30_000);
  }, 240_000);
});
