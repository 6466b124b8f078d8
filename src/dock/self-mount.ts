// The `mount = "self"` policy: when an accepted recorder is plugged in, find its disk through
// sysfs, pick the partitions (or the whole disk) that carry a recorder filesystem, and mount each
// read-only, nosuid,nodev,noexec under the media root, named by dock slot. A pulled recorder's
// dead mount is lazily unmounted. Needs CAP_SYS_ADMIN (root in a test guest or an appliance).
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { isUnder, parseMountinfo } from './mountinfo.js';
import { lazyUnmount, mountReadOnly, probeFsType, remount } from './mounter.js';
import { disksOfUsbDevice, usbDevicePresent } from './sysfs.js';
import type { UsbDeviceInfo } from './usb-device.js';

export interface SelfMounterOptions {
  sysRoot: string;
  devRoot?: string;
  mediaRoot: string;
  logger: Logger;
  /** How long to wait for the kernel to show the disk after the USB attach. */
  diskTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where `dev` is already mounted under the media root, if it is. */
function alreadyMounted(dev: string, mediaRoot: string): string | undefined {
  try {
    return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find((e) => e.source === dev && isUnder(e.mountPoint, mediaRoot))?.mountPoint;
  } catch {
    return undefined;
  }
}

export class SelfMounter {
  /** Mount points made for each USB device, by port path. */
  private readonly made = new Map<string, string[]>();

  constructor(private readonly opts: SelfMounterOptions) {}

  /** Mounts every recorder filesystem of the device; returns the mount points (possibly none). */
  async mountDevice(usb: UsbDeviceInfo, slot: string): Promise<string[]> {
    const { sysRoot, logger } = this.opts;
    const devRoot = this.opts.devRoot ?? '/dev';
    const end = Date.now() + (this.opts.diskTimeoutMs ?? 20_000);
    let disks = disksOfUsbDevice(sysRoot, usb.portPath);
    while (!disks.length && Date.now() < end && usbDevicePresent(sysRoot, usb.portPath)) {
      await sleep(100);
      disks = disksOfUsbDevice(sysRoot, usb.portPath);
    }
    if (!disks.length) {
      logger.warn({ slot, portPath: usb.portPath }, 'recorder shows no disk (locked, or not storage?): nothing to mount');
      return [];
    }
    const mounted: string[] = [];
    for (const d of disks) {
      // A card without a partition table is one filesystem; otherwise the kernel lists the
      // partitions a moment after the disk itself: wait for them.
      let candidates = d.partitions;
      if (!candidates.length) {
        const diskDev = path.join(devRoot, d.disk);
        for (let i = 0; i < 50 && !existsSync(diskDev); i++) await sleep(100);
        const whole = await probeFsType(diskDev).catch(() => null);
        if (whole) candidates = [d.disk];
        else {
          const until = Date.now() + 5000;
          while (!candidates.length && Date.now() < until && usbDevicePresent(sysRoot, usb.portPath)) {
            await sleep(100);
            candidates = disksOfUsbDevice(sysRoot, usb.portPath).find((x) => x.disk === d.disk)?.partitions ?? [];
          }
        }
      }
      for (const name of candidates) {
        const dev = path.join(devRoot, name);
        for (let i = 0; i < 50 && !existsSync(dev); i++) await sleep(100);
        let fs;
        try {
          fs = await probeFsType(dev);
        } catch (err) {
          logger.warn({ slot, dev, err: (err as Error).message }, 'cannot read the recorder filesystem header');
          continue;
        }
        if (!fs) {
          logger.info({ slot, dev }, 'no recorder filesystem (FAT, exFAT, ext4, NTFS) on this partition; left alone');
          continue;
        }
        const already = alreadyMounted(dev, this.opts.mediaRoot);
        if (already) {
          // e.g. the daemon restarted: the mount is there and the watcher docks it
          logger.info({ slot, dev, target: already }, 'recorder already mounted');
          mounted.push(already);
          continue;
        }
        const target = path.join(this.opts.mediaRoot, mounted.length ? `${slot}-${mounted.length + 1}` : slot);
        mkdirSync(target, { recursive: true });
        try {
          await mountReadOnly(dev, target, fs);
          mounted.push(target);
          logger.info({ slot, dev, fs, target }, 'recorder mounted read-only');
        } catch (err) {
          logger.error({ slot, dev, fs, err: (err as Error).message }, 'mounting the recorder failed');
          try {
            rmdirSync(target);
          } catch {
            /* leave it */
          }
        }
      }
    }
    this.made.set(usb.portPath, [...(this.made.get(usb.portPath) ?? []), ...mounted]);
    return mounted;
  }

  /** Lazily unmounts what was mounted for a device (it is gone, or being released). */
  async releaseDevice(portPath: string): Promise<void> {
    for (const target of [...(this.made.get(portPath) ?? [])]) await this.release(target);
  }

  /** umount -l (works on a dead mount with files still open), then remove the empty mount point. */
  async release(target: string): Promise<void> {
    for (const [port, list] of this.made) {
      const rest = list.filter((t) => t !== target);
      if (rest.length) this.made.set(port, rest);
      else this.made.delete(port);
    }
    try {
      await lazyUnmount(target);
      this.opts.logger.info({ target }, 'recorder mount released (lazy unmount)');
    } catch (err) {
      this.opts.logger.warn({ target, err: (err as Error).message }, 'lazy unmount failed (already unmounted?)');
    }
    try {
      rmdirSync(target);
    } catch {
      /* not empty or already gone */
    }
  }

  async setWritable(target: string, writable: boolean): Promise<void> {
    await remount(target, writable ? 'rw' : 'ro');
  }

  ownsMount(target: string): boolean {
    return [...this.made.values()].some((l) => l.includes(target));
  }
}
