// Witnessed copies of the audit log in the bucket: each signed checkpoint file and each sealed
// journal day, put once under `<prefix>_evidock/witness/` with COMPLIANCE retention, so that a
// rollback of the whole server (catalog, journal and checkpoints together) shows against copies
// the station can no longer take back.
import type { WitnessFile } from './originals.js';
import type { S3Bucket } from './s3-client.js';
import { EVIDOCK_FOLDER } from './s3-lock-probe.js';
import { heldVersionOf, listBucketObjects } from './s3-verify.js';

const FOLDER: Record<WitnessFile['kind'], string> = { checkpoint: 'checkpoints', journal: 'journal' };

function witnessPrefix(prefix: string): string {
  return `${prefix}${EVIDOCK_FOLDER}/witness/`;
}

/** Puts each file not in the bucket yet (a file is witnessed once: its first version is the witness). */
export async function putWitnesses(bucket: S3Bucket, prefix: string, retentionDays: number, files: readonly WitnessFile[], now = new Date()): Promise<{ put: string[]; already: number }> {
  const there = new Set<string>();
  for await (const key of listBucketObjects(bucket, witnessPrefix(prefix))) there.add(key);
  const until = new Date(now.getTime() + retentionDays * 86_400_000);
  const put: string[] = [];
  for (const f of files) {
    const key = `${witnessPrefix(prefix)}${FOLDER[f.kind]}/${f.name}`;
    if (there.has(key)) continue;
    await bucket.putObject(key, f.bytes, { mode: 'COMPLIANCE', until });
    put.push(`${FOLDER[f.kind]}/${f.name}`);
  }
  return { put, already: files.length - put.length };
}

/** Every witnessed file, as first put (the oldest version of its key). */
export async function* witnessedFiles(bucket: S3Bucket, prefix: string): AsyncGenerator<WitnessFile> {
  const base = witnessPrefix(prefix);
  for await (const key of listBucketObjects(bucket, base)) {
    const [folder, ...rest] = key.slice(base.length).split('/');
    const kind = (Object.keys(FOLDER) as WitnessFile['kind'][]).find((k) => FOLDER[k] === folder);
    const held = await heldVersionOf(bucket, key);
    if (!kind || !held || rest.length !== 1) continue;
    yield { kind, name: rest[0], bytes: await bucket.getBuffer(key, held.versionId) };
  }
}
