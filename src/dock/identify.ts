// The one identity reader of every docking: the directory dock, the mount dock and
// `evidock ingest` all ask it, so a recorder is identified the same way wherever it arrives.
// It never throws: an identity that cannot be read is an empty one, with the reason flagged; a
// card that does not answer while its identity files are read is given up on after a while (the
// docking goes on, and the session's own reads then say the card stopped answering).
import { loadDrivers, identifyRecorder, type RecorderDriver } from './drivers/index.js';
import type { RecorderIdentity, UsbIdentity } from './events.js';
import type { UsbDeviceInfo } from './usb-device.js';

let drivers: Promise<RecorderDriver[]> | undefined;

/** How long reading a card's identity may take (ingest.stall_seconds' default). */
const IDENTITY_STALL_MS = 30_000;

/** `op`'s result, or a rejection saying the card stopped answering after `ms` (op is left to settle). */
function withinMs<T>(op: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the card stopped answering: no answer for ${Math.round(ms / 1000)} s reading its identity files`)), ms);
    op.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** The USB facts a docked event carries (ids as numbers). */
export function usbIdentityOf(u: UsbDeviceInfo): UsbIdentity {
  return { vendorId: parseInt(u.vendorId, 16), productId: parseInt(u.productId, 16), serial: u.serial ?? undefined, portPath: u.portPath };
}

/**
 * The typed identity of the recorder mounted at `mountPath` (and on `usb`, when known); within
 * `stallMs` (default 30 s), else an empty one saying the card stopped answering.
 */
export async function identifyDocked(at: { mountPath: string; usb?: UsbDeviceInfo; stallMs?: number }): Promise<RecorderIdentity> {
  const usb = at.usb ? usbIdentityOf(at.usb) : undefined;
  try {
    drivers ??= loadDrivers();
    const found = await withinMs(identifyRecorder(await drivers, { mountPath: at.mountPath, usb: at.usb }), at.stallMs ?? IDENTITY_STALL_MS);
    return { ...found, usb };
  } catch (err) {
    return { driver: 'none', usb, claims: [], conflicts: [`the recorder's identity could not be read: ${(err as Error).message}`] };
  }
}
