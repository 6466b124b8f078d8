// The mount dock: recorders in USB dock slots. A recorder is docked when its filesystem is
// mounted under the media root (by udev + systemd-mount, or by evidock itself with the self
// policy); sysfs names the USB device and port behind the mount, the port names the slot, and the
// recorder filter decides whether it is a recorder at all. Emits the same RecorderDocked /
// RecorderUndocked events as every dock.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Dock, DockEvents, RecorderDocked } from './events.js';
import { identifyDocked } from './identify.js';
import { MountWatcher } from './mount-watcher.js';
import type { MountEntry } from './mountinfo.js';
import { RecorderFilter, type RecorderFilterConfig } from './recorder-filter.js';
import { SelfMounter } from './self-mount.js';
import { SlotMap, type SlotConfig } from './slots.js';
import { usbDevicePresent, usbForBlockDevice } from './sysfs.js';
import type { UsbDeviceInfo } from './usb-device.js';
import { UsbHotplug } from './usb-hotplug.js';

export interface MountDockOptions {
  policy: 'external' | 'self';
  /** Where recorders are mounted: /run/evidock/media by default. */
  mediaRoot: string;
  slots: SlotConfig;
  filter: RecorderFilterConfig;
  logger: Logger;
  pollMs?: number;
  sysRoot?: string;
  mountinfoPath?: string;
  /** Listen for USB hotplug (default true). */
  usb?: boolean;
}

interface Docked {
  event: RecorderDocked;
  entry: MountEntry;
  usb?: UsbDeviceInfo;
  gone: boolean;
}

export class MountDock extends EventEmitter<DockEvents> implements Dock {
  readonly name = 'usb-mount';
  readonly slots: SlotMap;
  readonly filter: RecorderFilter;
  private readonly watcher: MountWatcher;
  private readonly sysRoot: string;
  private usbHotplug?: UsbHotplug;
  private readonly mounter?: SelfMounter;
  private readonly docked = new Map<string, Docked>();
  private checkTimer?: NodeJS.Timeout;
  /** Why USB detection is off, when it is (shown in status). */
  usbUnavailable?: string;
  /** When each mount was first seen (for the mount -> first byte measurement). */
  readonly seenAt = new Map<string, number>();

  constructor(private readonly opts: MountDockOptions) {
    super();
    this.slots = new SlotMap(opts.slots);
    this.filter = new RecorderFilter(opts.filter, this.slots);
    this.sysRoot = opts.sysRoot ?? '/sys';
    this.watcher = new MountWatcher({ roots: [opts.mediaRoot], intervalMs: opts.pollMs, mountinfoPath: opts.mountinfoPath });
    if (opts.policy === 'self') this.mounter = new SelfMounter({ sysRoot: this.sysRoot, mediaRoot: opts.mediaRoot, logger: opts.logger });
  }

  get log(): Logger {
    return this.opts.logger;
  }

  async start(): Promise<void> {
    if (this.opts.policy === 'self') mkdirSync(this.opts.mediaRoot, { recursive: true });
    this.watcher.on('mounted', (e) => void this.onMounted(e).catch((err) => this.emit('error', err as Error)));
    this.watcher.on('unmounted', (e) => this.onUnmounted(e));
    this.watcher.on('remounted', ({ after }) => {
      const d = this.docked.get(after.mountPoint);
      if (d) d.entry = after;
    });
    this.watcher.on('error', (err) => this.emit('error', err));
    if (this.opts.usb !== false) {
      this.usbHotplug = await UsbHotplug.start({ sysRoot: this.sysRoot });
      if (!this.usbHotplug.available) {
        this.usbUnavailable = this.usbHotplug.reason;
        this.log.warn({ reason: this.usbHotplug.reason }, 'USB detection is unavailable; recorders are still noticed when their filesystem is mounted');
      } else {
        this.usbHotplug.on('attach', (u) => void this.onAttach(u).catch((err) => this.emit('error', err as Error)));
        this.usbHotplug.on('detach', (u) => void this.onDetach(u));
        this.log.info('USB hotplug detection on');
      }
    }
    await this.watcher.start();
    this.log.info({ mediaRoot: this.opts.mediaRoot, policy: this.opts.policy, slots: this.slots.labels }, 'watching for recorder mounts');
    // without hotplug events (sandbox, no node-usb), notice a pulled recorder through sysfs
    this.checkTimer = setInterval(() => this.checkPresence(), this.watcher.intervalMs);
    this.checkTimer.unref();
  }

  async stop(): Promise<void> {
    this.watcher.stop();
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.usbHotplug?.close();
    this.usbHotplug = undefined;
  }

  private async onAttach(u: UsbDeviceInfo): Promise<void> {
    const decision = this.filter.decide(u);
    if (!decision.recorder) {
      if (this.filter.firstIgnore(u)) this.log.info({ usb: u, why: decision.why }, 'USB device ignored: not a recorder (logged once)');
      return;
    }
    const slot = this.slots.slotFor(u.portPath);
    this.log.info({ slot, usb: u, why: decision.why }, 'recorder plugged in');
    this.emit('notice', { slot, state: 'identifying', message: 'recorder plugged in: waiting for its storage', recorderHint: u.serial ?? undefined });
    if (this.mounter) {
      const mounted = await this.mounter.mountDevice(u, slot);
      if (mounted.length) await this.watcher.poll(); // notice it now, not at the next tick
      else if (usbDevicePresent(this.sysRoot, u.portPath))
        this.emit('notice', {
          slot,
          state: 'error',
          message: 'the recorder shows no storage evidock can read (locked, or not in mass-storage mode): unlock it or switch it to USB storage, then plug it in again',
          recorderHint: u.serial ?? undefined,
        });
    }
  }

  private async onDetach(u: UsbDeviceInfo): Promise<void> {
    let wasDocked = false;
    for (const [mp, d] of this.docked)
      if (d.usb?.portPath === u.portPath) {
        wasDocked = true;
        await this.vanished(mp, d);
      }
    if (this.mounter) await this.mounter.releaseDevice(u.portPath);
    // pulled before its filesystem was docked: the slot is empty again
    if (!wasDocked && this.filter.decide(u).recorder) this.emit('notice', { slot: this.slots.slotFor(u.portPath), state: 'empty' });
  }

  private checkPresence(): void {
    for (const [mp, d] of this.docked)
      if (d.usb && !d.gone && !usbDevicePresent(this.sysRoot, d.usb.portPath)) void this.vanished(mp, d);
  }

  /** The recorder went away under a live mount: undock now, lazily unmount the dead mount. */
  private async vanished(mountPoint: string, d: Docked): Promise<void> {
    if (d.gone) return;
    d.gone = true;
    this.log.warn({ slot: d.event.slot, mountPath: mountPoint }, 'recorder pulled out while mounted');
    this.docked.delete(mountPoint);
    this.emit('undocked', { slot: d.event.slot, mountPath: mountPoint, undockedAt: new Date() });
    if (this.mounter) await this.mounter.release(mountPoint);
    else this.log.info({ mountPath: mountPoint }, 'dead mount left to systemd (LazyUnmount=yes on the mount unit)');
  }

  private async onMounted(e: MountEntry): Promise<void> {
    if (this.docked.has(e.mountPoint)) return;
    this.seenAt.set(e.mountPoint, Date.now());
    const onUsb = usbForBlockDevice(this.sysRoot, e.major, e.minor);
    if (onUsb) {
      const decision = this.filter.decide(onUsb.usb);
      if (!decision.recorder) {
        if (this.filter.firstIgnore(onUsb.usb)) this.log.info({ usb: onUsb.usb, mountPath: e.mountPoint, why: decision.why }, 'mounted USB device ignored: not a recorder (logged once)');
        return;
      }
    }
    const slot = onUsb ? this.slots.slotFor(onUsb.usb.portPath) : path.basename(e.mountPoint);
    const identity = await identifyDocked({ mountPath: e.mountPoint, usb: onUsb?.usb });
    if (identity.conflicts.length) this.log.warn({ slot, conflicts: identity.conflicts }, 'recorder identity sources disagree: flagged, not resolved');
    const event: RecorderDocked = {
      slot,
      mountPath: e.mountPoint,
      usb: identity.usb,
      identity,
      recorderHint: identity.deviceId,
      officerHint: identity.officerId,
      dockedAt: new Date(),
      writable: !e.readOnly,
    };
    this.docked.set(e.mountPoint, { event, entry: e, usb: onUsb?.usb, gone: false });
    this.log.info({ slot, mountPath: e.mountPoint, fsType: e.fsType, source: e.source, usb: onUsb?.usb, recorder: identity.deviceId, driver: identity.driver }, 'recorder docked');
    this.emit('docked', event);
  }

  private onUnmounted(e: MountEntry): void {
    const d = this.docked.get(e.mountPoint);
    this.seenAt.delete(e.mountPoint);
    if (!d) return;
    this.docked.delete(e.mountPoint);
    this.emit('undocked', { slot: d.event.slot, mountPath: e.mountPoint, undockedAt: new Date() });
  }

  /**
   * For verify-then-wipe: make the recorder's mount writable. The self policy remounts it
   * read-write; an external mount must already be writable. Returns why not, when it cannot.
   */
  async makeWritable(mountPath: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const d = this.docked.get(mountPath);
    if (!d) return { ok: false, reason: 'the recorder is no longer docked' };
    if (!d.entry.readOnly) return { ok: true };
    if (!this.mounter || !this.mounter.ownsMount(mountPath))
      return { ok: false, reason: 'the recorder is mounted read-only by the system (mount = "external"): wipe needs a writable mount or mount = "self"' };
    try {
      await this.mounter.setWritable(mountPath, true);
      await this.watcher.poll();
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `cannot remount the recorder read-write: ${(err as Error).message}` };
    }
  }

  /** After a wipe: back to read-only (self policy). */
  async makeReadOnly(mountPath: string): Promise<void> {
    if (this.mounter?.ownsMount(mountPath)) {
      try {
        await this.mounter.setWritable(mountPath, false);
      } catch (err) {
        this.log.warn({ mountPath, err: (err as Error).message }, 'cannot remount the recorder read-only again');
      }
    }
  }
}
