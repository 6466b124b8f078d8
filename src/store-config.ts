// The [store] section of the configuration: which backend holds originals (local OCFL or S3
// Object Lock) and, for s3, where. Credentials are never here: see store/s3-credentials.ts.
import { z } from 'zod';

/** The national rules' minimum: recordings are kept at least 6 months. */
export const DEFAULT_RETENTION_DAYS = 183;

const s3Section = z
  .object({
    /** The S3 service's URL, e.g. "https://rgw.bureau.example:7480". */
    endpoint: z
      .string()
      .refine((u) => {
        try {
          return ['http:', 'https:'].includes(new URL(u).protocol);
        } catch {
          return false;
        }
      }, 'must be an http:// or https:// URL such as "https://rgw.example:7480"'),
    /** The region name the service expects (Ceph RGW: its zonegroup, "default" unless set up otherwise). */
    region: z.string().min(1).max(64).default('default'),
    /** A bucket created with Object Lock enabled, default retention COMPLIANCE. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, '3-63 lower-case letters, digits, "." or "-" (an S3 bucket name)'),
    /** Where this station's objects go in the bucket (one prefix per station); default: the station id. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/, 'letters, digits, ".", "_", "-" in "/"-separated parts, no leading "/"')
      .refine((p) => !p.split('/').some((part) => part === '.' || part === '..'), 'no "." or ".." parts')
      .optional(),
    /** How long each original is locked (COMPLIANCE: no credential can delete it before). */
    retention_days: z.number().int().min(1).max(36500).default(DEFAULT_RETENTION_DAYS),
    /** Address the bucket in the path (http://host/bucket/key), as Ceph RGW without wildcard DNS needs. */
    force_path_style: z.boolean().default(true),
    /**
     * Accept a bucket whose default retention mode is GOVERNANCE (a privileged user can then
     * delete locked originals). Off: such a bucket is refused. On: `status` warns on every run.
     */
    allow_governance: z.boolean().default(false),
  })
  .strict();

export const storeSection = z
  .object({
    /** "local": an OCFL storage root at paths.store; "s3": the same objects in an S3 Object Lock bucket. */
    backend: z.enum(['local', 's3']).default('local'),
    s3: s3Section.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.backend === 's3' && !s.s3) ctx.addIssue({ code: 'custom', path: ['s3'], message: 'backend = "s3" needs a [store.s3] table with endpoint and bucket' });
  })
  .prefault({});

export type StoreConfig = z.infer<typeof storeSection>;
export type S3StoreConfig = z.infer<typeof s3Section>;

/** What `status` says on every run about the store's configuration. */
export function storeConfigWarnings(store: StoreConfig): string[] {
  if (store.backend === 's3' && store.s3?.allow_governance) {
    return [`store.s3.allow_governance = true: bucket ${store.s3.bucket} may keep a GOVERNANCE default retention, which a privileged user can bypass; ask for COMPLIANCE and remove the setting`];
  }
  return [];
}
