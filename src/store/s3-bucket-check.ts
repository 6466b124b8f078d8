// Whether the configured bucket can keep originals write-once: Object Lock enabled, versioning
// on, default retention COMPLIANCE (GOVERNANCE only with store.s3.allow_governance, and then a
// warning). `init` refuses a bucket that fails; `status` repeats the warning on every run.
import type { S3StoreConfig } from '../store-config.js';
import { S3Bucket } from './s3-client.js';
import type { S3Credentials } from './s3-credentials.js';

export interface BucketCheck {
  bucket: string;
  endpoint: string;
  /** Settings that make the bucket unfit: each names the setting and what to do. */
  problems: string[];
  /** Accepted, but said on every run. */
  warnings: string[];
  defaultMode?: string;
  versioning?: string;
}

export async function checkBucket(cfg: S3StoreConfig, creds: S3Credentials): Promise<BucketCheck> {
  const bucket = new S3Bucket(cfg, creds);
  const out: BucketCheck = { bucket: cfg.bucket, endpoint: cfg.endpoint, problems: [], warnings: [] };
  try {
    const lock = await bucket.lockConfiguration();
    out.versioning = await bucket.versioning();
    out.defaultMode = lock.defaultMode;
    const where = `bucket ${cfg.bucket} at ${cfg.endpoint}`;
    if (!lock.enabled) out.problems.push(`${where}: Object Lock (ObjectLockEnabled) is not enabled; it can only be turned on when the bucket is created: ask for a new bucket created with Object Lock`);
    if (out.versioning !== 'Enabled') out.problems.push(`${where}: versioning is ${out.versioning}, must be Enabled (Object Lock needs it)`);
    if (lock.enabled) {
      if (lock.defaultMode === 'GOVERNANCE') {
        if (cfg.allow_governance)
          out.warnings.push(`${where}: default retention mode is GOVERNANCE (store.s3.allow_governance = true): a user with s3:BypassGovernanceRetention could delete objects written without evidock's own COMPLIANCE lock; ask for COMPLIANCE`);
        else out.problems.push(`${where}: default retention mode is GOVERNANCE, not COMPLIANCE; set the bucket's default retention to COMPLIANCE (or, knowingly, store.s3.allow_governance = true)`);
      } else if (lock.defaultMode && lock.defaultMode !== 'COMPLIANCE') {
        out.problems.push(`${where}: default retention mode is ${lock.defaultMode}, must be COMPLIANCE`);
      }
    }
  } finally {
    bucket.destroy();
  }
  return out;
}
