// `evidock init` with [store] backend = "s3": the bucket must be able to lock before anything is
// made. A bucket without Object Lock, with versioning off or a non-COMPLIANCE default is refused
// (exit 2) with the setting named; then the lock probe tries, with the station's own key, to
// delete, shorten, switch to GOVERNANCE and overwrite a locked probe object: each must be refused.
import type { Config } from '../config.js';
import { checkBucket } from '../store/s3-bucket-check.js';
import { S3Bucket, S3Failure } from '../store/s3-client.js';
import { s3Credentials } from '../store/s3-credentials.js';
import { probeLock, type LockAttempt } from '../store/s3-lock-probe.js';
import { s3Prefix } from '../store/s3-verify.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE } from './context.js';

export interface BucketReady {
  bucket: string;
  prefix: string;
  lines: string[];
  warnings: string[];
  /** What the service refused the station's own key (for the audit log). */
  attempts: LockAttempt[];
}

export async function checkBucketForInit(config: Config, stationId: string): Promise<BucketReady | undefined> {
  const s3 = config.store.backend === 's3' ? config.store.s3 : undefined;
  if (!s3) return undefined;
  const creds = s3Credentials();
  const prefix = s3Prefix(s3, stationId);
  const bucket = new S3Bucket(s3, creds);
  try {
    const check = await checkBucket(s3, creds);
    if (check.problems.length) throw new CliError(`store.s3: bucket ${s3.bucket} cannot hold originals write-once:\n${check.problems.map((p) => `  ${p}`).join('\n')}`, EXIT_USAGE);
    const attempts = await probeLock(bucket, prefix);
    const accepted = attempts.filter((a) => !a.refused);
    if (accepted.length) {
      throw new CliError(`store.s3: bucket ${s3.bucket} does not keep a COMPLIANCE lock against the station's own key:\n${accepted.map((a) => `  ${a.attempt}: ${a.answer}`).join('\n')}`, EXIT_USAGE);
    }
    return {
      bucket: s3.bucket,
      prefix,
      lines: [
        `bucket   ${s3.bucket} at ${s3.endpoint}, prefix ${prefix}: Object Lock on, versioning ${check.versioning}, default retention ${check.defaultMode ?? 'none (evidock locks each object itself)'}; originals locked COMPLIANCE for ${s3.retention_days} days`,
        ...attempts.map((a) => `refused  ${a.attempt} (${a.answer})`),
      ],
      warnings: check.warnings,
      attempts,
    };
  } catch (err) {
    if (err instanceof S3Failure) throw new CliError(`store.s3: cannot check bucket ${s3.bucket}: ${err.message}`, err.status === 403 || err.status === 404 ? EXIT_USAGE : EXIT_PROBLEM);
    throw err;
  } finally {
    bucket.destroy();
  }
}
