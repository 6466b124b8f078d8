// The one identity reader of every docking: the directory dock, the mount dock and
// `evidock ingest` all ask it, so a recorder is identified the same way wherever it arrives.
// It never throws: an identity that cannot be read is an empty one, with the reason flagged.
import { loadDrivers, identifyRecorder, type RecorderDriver } from './drivers/index.js';
import type { RecorderIdentity, UsbIdentity } from './events.js';
import type { UsbDeviceInfo } from './usb-device.js';

let drivers: Promise<RecorderDriver[]> | undefined;

/** The USB facts a docked event carries (ids as numbers). */
export function usbIdentityOf(u: UsbDeviceInfo): UsbIdentity {
  return { vendorId: parseInt(u.vendorId, 16), productId: parseInt(u.productId, 16), serial: u.serial ?? undefined, portPath: u.portPath };
}

/** The typed identity of the recorder mounted at `mountPath` (and on `usb`, when known). */
export async function identifyDocked(at: { mountPath: string; usb?: UsbDeviceInfo }): Promise<RecorderIdentity> {
  const usb = at.usb ? usbIdentityOf(at.usb) : undefined;
  try {
    drivers ??= loadDrivers();
    const found = await identifyRecorder(await drivers, { mountPath: at.mountPath, usb: at.usb });
    return { ...found, usb };
  } catch (err) {
    return { driver: 'none', usb, claims: [], conflicts: [`the recorder's identity could not be read: ${(err as Error).message}`] };
  }
}
