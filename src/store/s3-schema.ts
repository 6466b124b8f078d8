// Catalog schema of the s3 backend: the S3 version id each file of a held original was held as
// (the id its PUT or CompleteMultipartUpload returned), so verify and legal holds address that
// version, not whichever is oldest under the key. In the core range (1-9, see migrations.ts).
import { appendOnly, type Migration } from './migrations.js';

export const s3Migrations: Migration[] = [
  {
    version: 8,
    name: 's3: the object version each file of a held original was held as',
    sql: `
-- One row per file of a held original on the s3 backend (content, provenance.json, inventory,
-- sidecar, declaration). A fact written in the transaction that makes the original held.
-- Originals held before this table (or on the local backend) have no rows.
CREATE TABLE s3_held_versions (
  evidence_number TEXT NOT NULL REFERENCES originals(evidence_number),
  file TEXT NOT NULL,
  version_id TEXT NOT NULL,
  PRIMARY KEY (evidence_number, file)
);
${appendOnly('s3_held_versions')}
`,
  },
];
