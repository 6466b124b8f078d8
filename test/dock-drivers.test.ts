import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverFor, identifyRecorder, loadDrivers } from '../src/dock/drivers/index.js';
import { driver as massStorage } from '../src/dock/drivers/mass-storage.js';
import { decodeTextFile as decodeText } from '../src/lib/text.js';
import type { UsbDeviceInfo } from '../src/dock/usb-device.js';

const tmp: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'evidock-drv-'));
  tmp.push(d);
  return d;
};
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));
const usb = (serial: string | null): UsbDeviceInfo => ({ vendorId: '46f4', productId: '0001', serial, busNumber: 1, ports: [1, 2], portPath: '1-1.2', interfaceClasses: [8], manufacturer: 'QEMU', product: 'QEMU USB HARDDRIVE' });
const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'recorders', '7654321');

describe('generic mass-storage driver', () => {
  it('reads the GBK ZFY_INFO.TXT identity file of the fixture recorder', async () => {
    const id = await massStorage.identify({ mountPath: FIXTURE });
    expect(id).toMatchObject({ deviceId: '7654321', officerId: '020304', driver: 'mass-storage', conflicts: [] });
    expect(id.claims[0]).toMatchObject({ source: 'identity-file', where: 'ZFY_INFO.TXT', officerName: '张三', unitName: '玄武分局' });
  });

  it('USB serial is trusted first; a disagreeing identity file is flagged, not silently resolved', async () => {
    const card = dir();
    writeFileSync(path.join(card, 'recorder.json'), JSON.stringify({ serial: 'OTHER', officer: '4711', make: 'Acme', model: 'BWC-1' }));
    const id = await massStorage.identify({ mountPath: card, usb: usb('BWC0000001') });
    expect(id.deviceId).toBe('BWC0000001');
    expect(id.officerId).toBe('4711');
    expect(id.make).toBe('Acme'); // USB manufacturer strings name the bridge chip: no make claim from them
    expect(id.model).toBe('BWC-1');
    expect(id.conflicts).toEqual(['deviceId: usb 46f4:0001 serial descriptor says "BWC0000001", recorder.json says "OTHER"']);
  });

  it('no serial and no identity file: an identity with no id, not an error', async () => {
    const id = await massStorage.identify({ mountPath: dir(), usb: usb(null) });
    expect(id.deviceId).toBeUndefined();
    expect(id.claims).toEqual([]);
  });

  it('never follows a symlinked identity file, ignores huge and non-JSON ones', async () => {
    const card = dir();
    symlinkSync('/etc/passwd', path.join(card, 'ZFY_INFO.TXT'));
    writeFileSync(path.join(card, 'DEVICE.JSON'), 'not json');
    writeFileSync(path.join(card, 'RECORDER.JSON'), JSON.stringify({ serial: 'x'.repeat(70_000) }));
    expect((await massStorage.identify({ mountPath: card })).claims).toEqual([]);
  });

  it('cannot read a clock; storage is already unlocked', async () => {
    expect(await massStorage.readClock({ mountPath: FIXTURE })).toBeNull();
    expect(await massStorage.unlockMassStorage({ usb: usb('x') })).toBe('already');
    expect(await massStorage.unlockMassStorage({})).toBe('unsupported');
  });

  it('decodes UTF-8 with BOM and GBK', () => {
    expect(decodeText(Buffer.from('\uFEFFa=1', 'utf8'))).toBe('a=1');
    expect(decodeText(Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]))).toBe('张三');
  });
});

describe('driver registry: a vendor driver is a new file', () => {
  it('loads the built-in drivers; the generic one is last', async () => {
    const drivers = await loadDrivers();
    expect(drivers.at(-1)!.name).toBe('mass-storage');
  });

  it('a file dropped into the drivers folder is picked up and wins for its devices', async () => {
    const d = dir();
    const here = path.join(import.meta.dirname, '..', 'src', 'dock', 'drivers');
    cpSync(here, d, { recursive: true });
    mkdirSync(path.join(d, 'sub'));
    writeFileSync(
      path.join(d, 'acme.ts'),
      `export const driver = { name: 'acme', priority: 10,
        matches: (ctx) => ctx.usb?.vendorId === '2ca3',
        identify: async (ctx) => ({ deviceId: 'ACME-' + ctx.usb.serial, driver: 'acme', claims: [], conflicts: [] }),
        readClock: async () => ({ deviceTime: new Date(0), hostTime: new Date(1000), offsetMs: -1000 }),
        unlockMassStorage: async () => 'unlocked' };\n`,
    );
    const drivers = await loadDrivers(d);
    expect(drivers.map((x) => x.name)).toEqual(['acme', 'mass-storage']);
    const acmeDev = { ...usb('77'), vendorId: '2ca3' };
    expect((await driverFor(drivers, { usb: acmeDev })).name).toBe('acme');
    expect((await identifyRecorder(drivers, { usb: acmeDev })).deviceId).toBe('ACME-77');
    expect((await driverFor(drivers, { usb: usb('1') })).name).toBe('mass-storage');
  });
});
