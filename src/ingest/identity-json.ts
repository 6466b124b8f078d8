// The recorder's typed identity as Json, for provenance.json and the `recorder.docked` audit
// entry: the one converter, field by field (absent fields are left out).
import type { Json } from '../lib/json.js';
import type { IdentityClaim, RecorderIdentity, UsbIdentity } from '../dock/events.js';

function claimJson(c: IdentityClaim): Json {
  return {
    source: c.source,
    where: c.where,
    deviceId: c.deviceId,
    officerId: c.officerId,
    officerName: c.officerName,
    unitId: c.unitId,
    unitName: c.unitName,
    make: c.make,
    model: c.model,
  };
}

function usbJson(u: UsbIdentity): Json {
  return { vendorId: u.vendorId, productId: u.productId, serial: u.serial, portPath: u.portPath };
}

export function identityJson(identity: RecorderIdentity): { [key: string]: Json | undefined } {
  return {
    deviceId: identity.deviceId,
    officerId: identity.officerId,
    make: identity.make,
    model: identity.model,
    driver: identity.driver,
    usb: identity.usb ? usbJson(identity.usb) : undefined,
    claims: identity.claims.map(claimJson),
    conflicts: [...identity.conflicts],
  };
}
