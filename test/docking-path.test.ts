// One docking path: the directory dock emits the recorder's typed identity; runDocking (used by
// the daemon and `evidock ingest`) runs the session, the slot messages and verify-then-wipe where
// it applies, and logs the typed identity; `evidock ingest` opens the station like the daemon,
// rules catch-up included.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig } from '../src/home.js';
import { DirectoryDock } from '../src/dock/directory-dock.js';
import type { RecorderDocked } from '../src/dock/events.js';
import { identifyDocked } from '../src/dock/identify.js';
import type { UsbDeviceInfo } from '../src/dock/usb-device.js';
import { runDocking, type SlotUpdate } from '../src/ingest/docking.js';
import { ingestRecorder } from '../src/ingest/session.js';
import { openStation, type Station } from '../src/ingest/station.js';
import { fixturesDir, runCli, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-docking-');
afterAll(() => t.cleanup());
const silent = pino({ level: 'silent' });
const usbDevice: UsbDeviceInfo = { vendorId: '46f4', productId: '0001', serial: 'BWC0000009', busNumber: 1, ports: [1, 1], portPath: '1-1.1', interfaceClasses: [8] };

function card(name: string): string {
  const dir = path.join(t.dir, name);
  cpSync(path.join(fixturesDir, '7654321'), dir, { recursive: true, preserveTimestamps: true });
  return dir;
}

async function wipingStation(name: string): Promise<Station> {
  const dir = path.join(t.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'evidock.toml'), '[docks]\nwipe = true\n');
  const { config, home } = loadConfig({ home: dir });
  // no derived-facts steps: this is about the docking path, not the facts
  return openStation(config, home, silent, { actor: currentActor('daemon'), as: 'daemon', describe: async () => null, deriveFacts: false, catchUp: false });
}

describe('the directory dock', () => {
  it("emits the folder's typed identity, read from its identity files", async () => {
    const docks = path.join(t.dir, 'docks');
    mkdirSync(docks);
    const dock = new DirectoryDock(docks);
    const docked = new Promise<RecorderDocked>((resolve) => dock.on('docked', resolve));
    await dock.start();
    try {
      renameSync(card('to-dock'), path.join(docks, 'bay-3'));
      const e = await docked;
      expect(e).toMatchObject({ slot: 'bay-3', recorderHint: 'bay-3' });
      expect(e.usb).toBeUndefined();
      expect(e.identity).toMatchObject({ deviceId: '7654321', officerId: '020304', driver: 'mass-storage', conflicts: [] });
      expect(e.identity.claims).toEqual([expect.objectContaining({ source: 'identity-file', where: 'ZFY_INFO.TXT', officerName: '张三' })]);
    } finally {
      await dock.stop();
    }
  });
});

describe('runDocking', () => {
  it('a USB docking with wipe configured: slot messages in order, the card wiped, the typed identity and its conflict logged', async () => {
    const station = await wipingStation('home-usb');
    const root = card('card-usb');
    const count = readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
    const identity = await identifyDocked({ mountPath: root, usb: usbDevice });
    const docked: RecorderDocked = { slot: 'A1', mountPath: root, usb: identity.usb, identity, recorderHint: identity.deviceId, officerHint: identity.officerId, dockedAt: new Date() };
    const slots: SlotUpdate[] = [];
    let writable = 0;
    try {
      const r = await runDocking(station, docked, {
        onSlot: (u) => slots.push(u),
        mounts: { makeWritable: async () => (writable++, { ok: true }), makeReadOnly: async () => undefined },
      });
      expect(r!.summary).toMatchObject({ status: 'done', held: count, failed: 0 });
      expect(r!.wipe).toMatchObject({ status: 'wiped', wiped: count });
      expect(writable).toBe(1);
      expect(existsSync(path.join(root, 'ZFY_INFO.TXT'))).toBe(false);
      const states = slots.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);
      expect(states).toEqual(['identifying', 'copying', 'done', 'verifying', 'done']);
      expect(slots[0]).toMatchObject({ recorderId: 'BWC0000009', mountPath: root, held: 0, failed: 0 });
      expect(slots.at(-1)).toEqual({ state: 'done', held: count, failed: 0, message: `wiped ${count} file(s) from the recorder, each held and verified first` });
      const entry = JSON.parse(station.db.prepare(`SELECT entry FROM audit_entries WHERE type = 'recorder.docked'`).pluck().get() as string);
      expect(entry.data.identity).toMatchObject({
        deviceId: 'BWC0000009',
        officerId: '020304',
        usb: { vendorId: 0x46f4, productId: 1, serial: 'BWC0000009', portPath: '1-1.1' },
        claims: [{ source: 'usb-serial', deviceId: 'BWC0000009' }, { source: 'identity-file', where: 'ZFY_INFO.TXT', deviceId: '7654321', officerName: '张三' }],
        conflicts: [expect.stringMatching(/deviceId: .* says "BWC0000009", ZFY_INFO.TXT says "7654321"/)],
      });
    } finally {
      await station.close();
    }
  });

  it('a docking without a USB device (directory dock, `evidock ingest`) is never wiped', async () => {
    const station = await wipingStation('home-dir');
    const root = card('card-dir');
    const docked: RecorderDocked = { slot: 'card-dir', mountPath: root, identity: await identifyDocked({ mountPath: root }), recorderHint: 'card-dir', dockedAt: new Date() };
    const slots: SlotUpdate[] = [];
    try {
      const r = await runDocking(station, docked, { onSlot: (u) => slots.push(u), mounts: { makeWritable: async () => ({ ok: true }), makeReadOnly: async () => undefined } });
      expect(r!.summary).toMatchObject({ status: 'done', failed: 0 });
      expect(r!.wipe).toBeUndefined();
      expect(existsSync(path.join(root, 'ZFY_INFO.TXT'))).toBe(true);
      expect(slots.at(-1)).toMatchObject({ state: 'done', message: undefined });
    } finally {
      await station.close();
    }
  });
});

describe('runDocking when a docking cannot run', () => {
  it('called off while waiting for its turn: no session at all; a session that throws: the slot says what to do', async () => {
    const station = await wipingStation('home-fail');
    const root = card('card-fail');
    const docked: RecorderDocked = { slot: 'B2', mountPath: root, identity: await identifyDocked({ mountPath: root }), recorderHint: 'card-fail', dockedAt: new Date() };
    const controller = new AbortController();
    let released = 0;
    const called = await runDocking(station, docked, {
      signal: controller.signal,
      takePlace: async () => (controller.abort(new Error('stopping')), () => void released++),
    });
    expect(called).toBeNull();
    expect(released).toBe(1);
    expect(station.db.prepare('SELECT COUNT(*) FROM sessions').pluck().get()).toBe(0);

    await station.close(); // the catalog is gone: the session cannot start
    const slots: SlotUpdate[] = [];
    await expect(runDocking(station, docked, { onSlot: (u) => slots.push(u) })).rejects.toThrow(/not open/);
    expect(slots.at(-1)).toEqual({ state: 'error', message: expect.stringMatching(/^ingest failed: .*not open.*; dock the recorder again, and if it fails again see the evidock log$/) });
  });
});

describe('evidock ingest opens the station as the daemon does', () => {
  it('runs the rules catch-up: originals held without their facts get them', async () => {
    const dir = path.join(t.dir, 'home-catch-up');
    const { config, home } = loadConfig({ home: dir });
    // held without the rules step (as crash recovery holds them)
    const station = await openStation(config, home, silent, { actor: currentActor('cli'), as: 'ingest', deriveFacts: false, catchUp: false });
    let held = 0;
    try {
      held = (await ingestRecorder(station.ctx, { root: path.join(fixturesDir, '1234567'), recorderId: '1234567' })).held;
    } finally {
      await station.close();
    }
    const timesOf = () => {
      const db = new Database(home.catalog, { readonly: true });
      try {
        return db.prepare('SELECT COUNT(*) FROM recording_times').pluck().get();
      } finally {
        db.close();
      }
    };
    expect(held).toBeGreaterThan(0);
    expect(timesOf()).toBe(0);
    const empty = path.join(t.dir, 'empty-card');
    mkdirSync(empty);
    const r = runCli(['--home', dir, 'ingest', empty, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(timesOf()).toBe(held);
  });
});
