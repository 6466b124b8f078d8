// The s3 backend's access key: from a systemd credential ($CREDENTIALS_DIRECTORY/s3-access-key-id
// and s3-secret-access-key, LoadCredential= in the unit) or the environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY). Never from the TOML; the secret is never logged or printed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Where they came from, for messages (never the secret). */
  source: string;
}

export const CREDENTIAL_KEY_ID = 's3-access-key-id';
export const CREDENTIAL_SECRET = 's3-secret-access-key';

export function s3Credentials(env: NodeJS.ProcessEnv = process.env): S3Credentials {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (dir && existsSync(path.join(dir, CREDENTIAL_KEY_ID))) {
    const read = (name: string) => {
      const file = path.join(dir, name);
      if (!existsSync(file)) throw new ConfigError(`systemd credential ${name} is missing in $CREDENTIALS_DIRECTORY (${dir}): add LoadCredential=${name}:<file> to the unit beside ${CREDENTIAL_KEY_ID}`);
      return readFileSync(file, 'utf8').trim();
    };
    const accessKeyId = read(CREDENTIAL_KEY_ID);
    const secretAccessKey = read(CREDENTIAL_SECRET);
    if (!accessKeyId || !secretAccessKey) throw new ConfigError(`systemd credentials ${CREDENTIAL_KEY_ID} / ${CREDENTIAL_SECRET} in ${dir} are empty`);
    return { accessKeyId, secretAccessKey, source: `systemd credentials in ${dir}` };
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, source: 'environment (AWS_ACCESS_KEY_ID)' };
  if (accessKeyId || secretAccessKey) {
    throw new ConfigError(`store.backend = "s3": ${accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set (both or neither)`);
  }
  throw new ConfigError(
    `store.backend = "s3" needs the bucket user's access key: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the unit LoadCredential=${CREDENTIAL_KEY_ID}:<file> and LoadCredential=${CREDENTIAL_SECRET}:<file> (never put keys in the TOML)`,
  );
}
