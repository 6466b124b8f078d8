// The generic driver: any recorder that shows up as USB mass storage. Identity from the USB serial
// and from an identity file on the card, if there is one:
//   ZFY_INFO.TXT  GA/T 947 style "key=value" lines (cSerial, userNo, userName, unitNo, unitName), GBK or UTF-8
//   RECORDER.JSON / DEVICE.JSON  {"serial"|"device_id", "officer"|"officer_id", "make", "model"}
// It cannot read a clock or unlock anything; vendor drivers can.
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeTextFile } from '../../lib/text.js';
import type { IdentityClaim, RecorderContext, RecorderDriver, RecorderIdentity } from './driver.js';

const MAX_IDENTITY_BYTES = 64 * 1024;
const KV_FILES = ['zfy_info.txt'];
const JSON_FILES = ['recorder.json', 'device.json'];

/**
 * Reads at most 64 KiB of a regular file at the card's root. Anything else (a symlink, a FIFO, a
 * device node named like an identity file) is never opened: opening a FIFO or device can block
 * or act on the device. O_NOFOLLOW and the second check catch a swap between the two looks.
 */
async function readSmall(file: string): Promise<Buffer | null> {
  try {
    const before = await lstat(file);
    if (!before.isFile() || before.size > MAX_IDENTITY_BYTES) return null;
  } catch {
    return null;
  }
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_IDENTITY_BYTES) return null;
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}

export function parseKeyValue(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^\s*([A-Za-z_][\w.-]*)\s*[=:]\s*(.*?)\s*$/);
    if (m) out[m[1].toLowerCase()] = m[2];
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined);

export function claimFromZfyInfo(kv: Record<string, string>, where: string): IdentityClaim {
  return {
    source: 'identity-file',
    where,
    deviceId: str(kv.cserial ?? kv.serial ?? kv.deviceid),
    officerId: str(kv.userno ?? kv.officer),
    officerName: str(kv.username),
    unitId: str(kv.unitno),
    unitName: str(kv.unitname),
  };
}

export function claimFromJson(obj: Record<string, unknown>, where: string): IdentityClaim {
  return {
    source: 'identity-file',
    where,
    deviceId: str(obj.serial ?? obj.device_id ?? obj.deviceId),
    officerId: str(obj.officer ?? obj.officer_id ?? obj.officerId),
    officerName: str(obj.officer_name ?? obj.officerName),
    unitId: str(obj.unit ?? obj.unit_id),
    make: str(obj.make),
    model: str(obj.model),
  };
}

/** Identity files at the root of the card, matched case-insensitively (FAT has no case). */
export async function readIdentityFiles(mountPath: string): Promise<IdentityClaim[]> {
  let names: string[];
  try {
    names = await readdir(mountPath);
  } catch {
    return [];
  }
  const claims: IdentityClaim[] = [];
  for (const name of names.sort()) {
    const lower = name.toLowerCase();
    if (!KV_FILES.includes(lower) && !JSON_FILES.includes(lower)) continue;
    const buf = await readSmall(path.join(mountPath, name));
    if (!buf) continue;
    const text = decodeTextFile(buf);
    if (KV_FILES.includes(lower)) claims.push(claimFromZfyInfo(parseKeyValue(text), name));
    else {
      try {
        const obj: unknown = JSON.parse(text);
        if (obj && typeof obj === 'object' && !Array.isArray(obj)) claims.push(claimFromJson(obj as Record<string, unknown>, name));
      } catch {
        /* not JSON: not an identity file */
      }
    }
  }
  return claims;
}

/** Most trusted claim first; the first claim that has a field wins it; every disagreement is listed. */
export function combineClaims(driver: string, claims: IdentityClaim[]): RecorderIdentity {
  const order: Record<IdentityClaim['source'], number> = { 'usb-serial': 0, 'identity-file': 1, 'vendor-protocol': 2 };
  const sorted = [...claims].sort((a, b) => order[a.source] - order[b.source]);
  const conflicts: string[] = [];
  const pick = (field: 'deviceId' | 'officerId' | 'make' | 'model'): string | undefined => {
    const withField = sorted.filter((c) => c[field] !== undefined);
    const first = withField[0];
    for (const c of withField.slice(1))
      if (c[field] !== first[field]) conflicts.push(`${field}: ${first.where} says "${first[field]}", ${c.where} says "${c[field]}"`);
    return first?.[field];
  };
  return {
    deviceId: pick('deviceId'),
    officerId: pick('officerId'),
    make: pick('make'),
    model: pick('model'),
    driver,
    claims: sorted,
    conflicts,
  };
}

export const driver: RecorderDriver = {
  name: 'mass-storage',
  priority: 0,
  matches: () => true,
  async identify(ctx: RecorderContext): Promise<RecorderIdentity> {
    const claims: IdentityClaim[] = [];
    if (ctx.usb?.serial)
      claims.push({
        source: 'usb-serial',
        where: `usb ${ctx.usb.vendorId}:${ctx.usb.productId} serial descriptor`,
        deviceId: ctx.usb.serial,
        // the USB manufacturer/product strings often name the bridge chip, not the recorder: not a make/model claim
      });
    if (ctx.mountPath) claims.push(...(await readIdentityFiles(ctx.mountPath)));
    return combineClaims('mass-storage', claims);
  },
  readClock: async () => null,
  unlockMassStorage: async (ctx) => (ctx.mountPath || ctx.usb?.interfaceClasses.includes(0x08) ? 'already' : 'unsupported'),
};
