// Which USB devices are recorders. Configured as a vendor:product list, and/or "any mass-storage
// device on a configured dock slot". Everything else is ignored, and logged once per device.
import { MASS_STORAGE_CLASS, type UsbDeviceInfo } from './usb-device.js';
import type { SlotMap } from './slots.js';

export interface RecorderFilterConfig {
  /** "vvvv:pppp" hex pairs, e.g. ["46f4:0001"]; "vvvv:*" accepts every product of a vendor. */
  recorders: string[];
  /** Accept any mass-storage class device plugged into a configured slot. */
  massStorageOnSlots: boolean;
}

export type RecorderDecision =
  | { recorder: true; why: string }
  | { recorder: false; why: string };

const PAIR = /^([0-9a-f]{4}):([0-9a-f]{4}|\*)$/;

export class RecorderFilterError extends Error {
  override name = 'RecorderFilterError';
}

export class RecorderFilter {
  private readonly pairs: { vendorId: string; productId: string | '*' }[];
  private readonly ignoredSeen = new Set<string>();

  constructor(
    private readonly config: RecorderFilterConfig,
    private readonly slots: SlotMap,
  ) {
    this.pairs = config.recorders.map((s, i) => {
      const m = s.trim().toLowerCase().match(PAIR);
      if (!m) throw new RecorderFilterError(`docks.recorders[${i}]: "${s}" must be "vendor:product" in hex, like "46f4:0001" or "46f4:*"`);
      return { vendorId: m[1], productId: m[2] };
    });
  }

  decide(dev: UsbDeviceInfo): RecorderDecision {
    const vid = dev.vendorId.toLowerCase();
    const pid = dev.productId.toLowerCase();
    const listed = this.pairs.find((p) => p.vendorId === vid && (p.productId === '*' || p.productId === pid));
    if (listed) return { recorder: true, why: `${vid}:${pid} is in docks.recorders` };
    const storage = dev.interfaceClasses.includes(MASS_STORAGE_CLASS);
    const onSlot = this.slots.isConfigured(dev.portPath);
    if (this.config.massStorageOnSlots && storage && onSlot)
      return { recorder: true, why: `mass-storage device on dock slot ${this.slots.slotFor(dev.portPath)}` };
    if (!storage) return { recorder: false, why: `${vid}:${pid} is not a mass-storage device and not in docks.recorders` };
    if (!this.config.massStorageOnSlots) return { recorder: false, why: `${vid}:${pid} is not in docks.recorders` };
    return { recorder: false, why: `${vid}:${pid} on port ${dev.portPath} is not in docks.recorders and the port is not a configured dock slot` };
  }

  /**
   * True the first time an ignored device is seen (so it is logged once, not on every poll or
   * re-plug); keyed by vendor, product, serial and port.
   */
  firstIgnore(dev: UsbDeviceInfo): boolean {
    const key = `${dev.vendorId}:${dev.productId}:${dev.serial ?? ''}@${dev.portPath}`;
    if (this.ignoredSeen.has(key)) return false;
    this.ignoredSeen.add(key);
    return true;
  }
}
