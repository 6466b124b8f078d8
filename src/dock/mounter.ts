// Mounting for the `mount = "self"` policy (evidock has CAP_SYS_ADMIN: a test guest, an
// appliance), and lazy unmount of a vanished recorder's dead mount. The one place that runs
// mount(8)/umount(8). With `mount = "external"` a udev rule + systemd-mount do the mounting.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type RecorderFsType = 'vfat' | 'exfat' | 'ext4' | 'ntfs';

/** Recognises the filesystems recorders use from their superblock; null for anything else. */
export function fsTypeFromSuperblock(head: Buffer): RecorderFsType | null {
  if (head.length >= 11 && head.toString('latin1', 3, 11) === 'EXFAT   ') return 'exfat';
  if (head.length >= 11 && head.toString('latin1', 3, 11) === 'NTFS    ') return 'ntfs';
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) {
    if (head.toString('latin1', 82, 87) === 'FAT32' || /^FAT1[26]/.test(head.toString('latin1', 54, 59))) return 'vfat';
  }
  if (head.length >= 1082 && head.readUInt16LE(1080) === 0xef53) return 'ext4';
  return null;
}

export async function probeFsType(devPath: string): Promise<RecorderFsType | null> {
  const fh = await open(devPath, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return fsTypeFromSuperblock(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export const READ_ONLY_OPTIONS = ['ro', 'nosuid', 'nodev', 'noexec'];

/** Options per filesystem: the files must be readable by evidock's user, never executable. */
function fsOptions(fs: RecorderFsType, uid?: number, gid?: number): string[] {
  if ((fs === 'vfat' || fs === 'exfat') && uid !== undefined) return [`uid=${uid}`, `gid=${gid ?? uid}`, 'fmask=0133', 'dmask=0022'];
  return [];
}

export async function mountReadOnly(devPath: string, target: string, fs: RecorderFsType, owner?: { uid: number; gid: number }): Promise<void> {
  const opts = [...READ_ONLY_OPTIONS, ...fsOptions(fs, owner?.uid, owner?.gid)].join(',');
  await run('mount', ['-t', fs, '-o', opts, devPath, target], { timeout: 30_000 });
}

/** For verify-then-wipe under the self policy: the same mount, writable (still nosuid,nodev,noexec). */
export async function remount(target: string, mode: 'ro' | 'rw'): Promise<void> {
  await run('mount', ['-o', `remount,${mode}`, target], { timeout: 30_000 });
}

/** Detach a mount even if its device is gone and files are still open on it (umount -l). */
export async function lazyUnmount(target: string): Promise<void> {
  await run('umount', ['-l', target], { timeout: 30_000 });
}
