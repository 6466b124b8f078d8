// [store] backend = "s3": bad settings and missing credentials stop `evidock init` with exit 2 and
// the key or the variable named; an access key in the TOML is refused; the systemd credential
// files are read; nothing here needs an S3 service (it is never reached).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { s3Credentials } from '../src/store/s3-credentials.js';
import { runCli, tempDir } from './helpers/evidock.js';

describe('[store] s3 settings', () => {
  const tmp = tempDir('evidock-s3cfg-');
  afterAll(() => tmp.cleanup());
  let n = 0;
  const initWith = (toml: string, env: NodeJS.ProcessEnv = {}) => {
    const home = path.join(tmp.dir, `home-${++n}`);
    const cfg = path.join(tmp.dir, `c-${n}.toml`);
    writeFileSync(cfg, toml);
    return runCli(['--home', home, '--config', cfg, 'init'], { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', CREDENTIALS_DIRECTORY: '', ...env } });
  };

  it('backend = "s3" without [store.s3]: exit 2 naming store.s3', () => {
    const r = initWith('[store]\nbackend = "s3"\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/store\.s3: backend = "s3" needs a \[store\.s3\] table with endpoint and bucket/);
  });

  it('a bad endpoint, bucket, prefix or retention: exit 2 naming each key', () => {
    const r = initWith('[store]\nbackend = "s3"\n[store.s3]\nendpoint = "rgw:7480"\nbucket = "Evidence_Bucket"\nprefix = "/a/../b"\nretention_days = 0\n');
    expect(r.code).toBe(2);
    for (const key of ['store.s3.endpoint', 'store.s3.bucket', 'store.s3.prefix', 'store.s3.retention_days']) expect(r.stderr).toContain(`${key}:`);
  });

  it('an access key in the TOML is an unknown setting, and its value is not printed', () => {
    const r = initWith('[store]\nbackend = "s3"\n[store.s3]\nendpoint = "http://127.0.0.1:9"\nbucket = "evidence"\nsecret_access_key = "TOPSECRET123"\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/store\.s3\.secret_access_key: unknown setting/);
    expect(r.stderr).not.toContain('TOPSECRET123');
  });

  it('no credentials anywhere: exit 2 saying where they go; only one of the pair: names the other', () => {
    const toml = '[store]\nbackend = "s3"\n[store.s3]\nendpoint = "http://127.0.0.1:9"\nbucket = "evidence"\n';
    const none = initWith(toml);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the unit LoadCredential=s3-access-key-id/);
    const half = initWith(toml, { AWS_ACCESS_KEY_ID: 'KEYID' });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/AWS_SECRET_ACCESS_KEY is not set/);
  });

  it('systemd credentials win over the environment; a missing secret file is named', () => {
    const dir = path.join(tmp.dir, 'creds');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 's3-access-key-id'), 'FROMSYSTEMD\n');
    expect(() => s3Credentials({ CREDENTIALS_DIRECTORY: dir })).toThrow(/systemd credential s3-secret-access-key is missing/);
    writeFileSync(path.join(dir, 's3-secret-access-key'), 'secret\n');
    expect(s3Credentials({ CREDENTIALS_DIRECTORY: dir, AWS_ACCESS_KEY_ID: 'ENV', AWS_SECRET_ACCESS_KEY: 'x' })).toMatchObject({ accessKeyId: 'FROMSYSTEMD', secretAccessKey: 'secret' });
    expect(s3Credentials({ AWS_ACCESS_KEY_ID: 'ENV', AWS_SECRET_ACCESS_KEY: 'x' })).toMatchObject({ accessKeyId: 'ENV' });
  });
});
