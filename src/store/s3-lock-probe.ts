// Proof that the bucket really locks, with the station's own credentials: a small probe object
// under `<prefix>_evidock/` is written COMPLIANCE-locked for a day, then evidock tries what an
// attacker holding the station's key would try (delete the locked version, shorten its lock,
// switch it to GOVERNANCE, overwrite it) and records each answer. Any success is a finding.
import { S3Failure, type S3Bucket } from './s3-client.js';
import { hashObject } from './s3-read-back.js';
import { sha256Hex } from '../hash/digest.js';

/** Keys evidock keeps beside the objects under a station's prefix (not OCFL objects). */
export const EVIDOCK_FOLDER = '_evidock';

export interface LockAttempt {
  attempt: string;
  refused: boolean;
  /** The service's answer (an error code and message), or what happened instead. */
  answer: string;
}

async function attempt(what: string, run: () => Promise<unknown>): Promise<LockAttempt> {
  try {
    await run();
    return { attempt: what, refused: false, answer: 'accepted by the service' };
  } catch (err) {
    if (err instanceof S3Failure && err.status === 403) return { attempt: what, refused: true, answer: `${err.code}: ${err.message.replace(/^.*answered /, '')}` };
    throw err;
  }
}

export async function probeLock(bucket: S3Bucket, prefix: string, now = new Date()): Promise<LockAttempt[]> {
  const key = `${prefix}${EVIDOCK_FOLDER}/lock-probe`;
  const body = Buffer.from(`evidock lock probe ${now.toISOString()}\n`);
  const until = new Date(now.getTime() + 86_400_000);
  const put = await bucket.putObject(key, body, { mode: 'COMPLIANCE', until });
  const versionId = put.versionId;
  const results: LockAttempt[] = [];
  results.push(await attempt('DeleteObject of the locked version', () => bucket.deleteVersion(key, versionId)));
  results.push(await attempt('shortening its COMPLIANCE retention', () => bucket.putRetention(key, versionId, { mode: 'COMPLIANCE', until: new Date(now.getTime() + 3_600_000) })));
  results.push(await attempt('switching its retention to GOVERNANCE', () => bucket.putRetention(key, versionId, { mode: 'GOVERNANCE', until: new Date(until.getTime() + 86_400_000) })));
  // An overwrite is a new version on top; what matters is that the locked version's bytes stay.
  await bucket.putObject(key, Buffer.from('overwritten\n'), { mode: 'COMPLIANCE', until });
  const back = await hashObject(bucket, key, versionId, ['sha256']);
  results.push({
    attempt: 'overwriting it',
    refused: back.digests.sha256 === sha256Hex(body),
    answer: back.digests.sha256 === sha256Hex(body) ? 'a new version was written on top; the locked version reads back unchanged' : 'the locked version changed',
  });
  return results;
}
