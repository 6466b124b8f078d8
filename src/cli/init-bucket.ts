// `evidock init` with [store] backend = "s3": the bucket must be able to lock before anything is
// made; a bucket without Object Lock, with versioning off or a non-COMPLIANCE default is refused
// (exit 2) with the setting named. Returns the lines init prints about the bucket.
import type { Config } from '../config.js';
import { S3Failure } from '../store/s3-client.js';
import { checkBucket } from '../store/s3-bucket-check.js';
import { s3Credentials } from '../store/s3-credentials.js';
import { CliError, EXIT_PROBLEM, EXIT_USAGE } from './context.js';

export async function checkBucketForInit(config: Config): Promise<{ lines: string[]; warnings: string[] } | undefined> {
  const s3 = config.store.backend === 's3' ? config.store.s3 : undefined;
  if (!s3) return undefined;
  const creds = s3Credentials();
  let check;
  try {
    check = await checkBucket(s3, creds);
  } catch (err) {
    if (err instanceof S3Failure) throw new CliError(`store.s3: cannot check bucket ${s3.bucket}: ${err.message}`, err.status === 403 || err.status === 404 ? EXIT_USAGE : EXIT_PROBLEM);
    throw err;
  }
  if (check.problems.length) throw new CliError(`store.s3: bucket ${s3.bucket} cannot hold originals write-once:\n${check.problems.map((p) => `  ${p}`).join('\n')}`, EXIT_USAGE);
  return {
    lines: [`bucket   ${s3.bucket} at ${s3.endpoint}: Object Lock on, versioning ${check.versioning}, default retention ${check.defaultMode ?? 'none (evidock locks each object itself)'}; originals locked COMPLIANCE for ${s3.retention_days} days`],
    warnings: check.warnings,
  };
}
