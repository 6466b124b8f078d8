// The one place that runs xorriso (Debian's xorriso package): an ISO 9660 image with Joliet and
// Rock Ridge of one folder, written to a new file.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CasesError } from './errors.js';

const run = promisify(execFile);

/** A volume id ISO 9660 accepts: up to 32 of A-Z 0-9 _. */
export function volumeId(label: string): string {
  const v = label.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 32);
  return v || 'EVIDOCK';
}

export async function writeIsoImage(sourceDir: string, isoFile: string, label: string): Promise<void> {
  try {
    await run('xorriso', ['-as', 'mkisofs', '-R', '-J', '-joliet-long', '-input-charset', 'utf-8', '-V', volumeId(label), '-o', isoFile, sourceDir], { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new CasesError('xorriso is not installed (apt-get install xorriso); no disc image written');
    throw new CasesError(`xorriso failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join(' | ')}; no disc image written`, 'refused');
  }
}
