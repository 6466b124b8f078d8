// Originals on S3 Object Lock (COMPLIANCE) on a real Ceph RGW that this file starts once
// (test/system/harness/ceph-rgw.ts): init refuses a bucket that cannot lock; ingest holds each
// recording in the bucket, locked, read back; the service itself refuses the station's own
// delete, overwrite, shortening and GOVERNANCE; verify (full and quick) names a changed and a
// hidden original; an outage holds nothing, says why, and the next docking holds it.
// Skips LOUDLY without root or the Ceph packages.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, copyFixtureRecorder, manifest, runCli, tempDir } from '../helpers/evidock.js';
import { cephMissing, startRgw, type Rgw } from './harness/ceph-rgw.js';
import { warnSkipped } from './harness/fuse.js';
import type { OriginalRow } from '../../src/store/records.js';
import { S3Bucket } from '../../src/store/s3-client.js';
import { checkS3Object } from '../../src/store/s3-verify.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const missing = cephMissing();
warnSkipped('test/system/s3-store.test.ts', missing);

describe.skipIf(missing.length > 0)('originals on S3 Object Lock (Ceph RGW)', () => {
  let rgw: Rgw;
  let s3: S3Client;
  const tmp = tempDir('evidock-s3-');
  const fixtures = manifest.files.filter((f) => f.recorder === '1234567');

  beforeAll(async () => {
    rgw = await startRgw();
    s3 = new S3Client({
      endpoint: rgw.endpoint, region: 'default', forcePathStyle: true, credentials: rgw.station,
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
      // A keep-alive socket the gateway closed while a long CLI step ran is a 'socket hang up': retried.
      maxAttempts: 3,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'evidence', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'evidence', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } } }));
    await s3.send(new CreateBucketCommand({ Bucket: 'no-lock' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'governed', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'governed', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }));
  }, 180_000);
  afterAll(() => {
    s3?.destroy();
    rgw?.stop();
    tmp.cleanup();
  });

  function configFor(name: string, s3Lines: string[]): string {
    const file = path.join(tmp.dir, `${name}.toml`);
    writeFileSync(file, ['[station]', `id = "ST-${name.toUpperCase()}"`, '[store]', 'backend = "s3"', '[store.s3]', `endpoint = "${rgw.endpoint}"`, ...s3Lines, ''].join('\n'));
    return file;
  }
  const cli = (home: string, config: string, args: string[], env: NodeJS.ProcessEnv = rgw.stationEnv) => runCli(['--home', home, '--config', config, ...args], { env });
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const fixtures7654321 = () => manifest.files.filter((f) => f.recorder === '7654321');
  /** The evidence numbers a home's catalog holds, in order. */
  const heldNumbers = (home: string): string[] => {
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT evidence_number FROM originals ORDER BY evidence_number').all() as { evidence_number: string }[]).map((r) => r.evidence_number);
    } finally {
      db.close();
    }
  };

  it('init refuses a bucket without Object Lock and one in GOVERNANCE, naming the setting; accepts GOVERNANCE only when allowed, and status then warns', () => {
    const plain = cli(path.join(tmp.dir, 'h-plain'), configFor('plain', ['bucket = "no-lock"']), ['init']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/bucket no-lock .*Object Lock \(ObjectLockEnabled\) is not enabled/);
    expect(plain.stderr).toMatch(/versioning is never enabled, must be Enabled/);
    const gov = cli(path.join(tmp.dir, 'h-gov'), configFor('gov', ['bucket = "governed"']), ['init']);
    expect(gov.code).toBe(2);
    expect(gov.stderr).toMatch(/default retention mode is GOVERNANCE, not COMPLIANCE/);
    const allowedCfg = configFor('gov2', ['bucket = "governed"', 'allow_governance = true']);
    const allowed = cli(path.join(tmp.dir, 'h-gov2'), allowedCfg, ['init']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning: .*GOVERNANCE/);
    for (let i = 0; i < 2; i++) expect(cli(path.join(tmp.dir, 'h-gov2'), allowedCfg, ['status']).stdout).toMatch(/warning: store\.s3\.allow_governance = true/);
  });

  it('no credentials: a clear error, exit 2, and the secret is never printed', () => {
    const cfg = configFor('nocreds', ['bucket = "evidence"']);
    const r = cli(path.join(tmp.dir, 'h-nocreds'), cfg, ['init'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs the bucket user's access key: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    const ok = cli(path.join(tmp.dir, 'h-creds'), configFor('creds', ['bucket = "evidence"']), ['init']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(rgw.station.secretAccessKey);
  });

  describe('a station holding in the bucket', () => {
    const home = () => path.join(tmp.dir, 'h-main');
    let cfg: string;
    let initOut = '';
    let held: { evidence_number: string; sha256: string; object_path: string; content_path: string; size: number }[];
    const keyOf = (o: (typeof held)[number]) => `main/${o.object_path}/${o.content_path}`;

    beforeAll(() => {
      cfg = configFor('main', ['bucket = "evidence"', 'prefix = "main"', 'retention_days = 2']);
      const init = cli(home(), cfg, ['init']);
      if (init.code !== 0) throw new Error(init.stderr);
      initOut = init.stdout;
      const card = copyFixtureRecorder('1234567', path.join(tmp.dir, 'card-main'));
      const r = cli(home(), cfg, ['ingest', card, '--recorder', '1234567', '--json']);
      if (r.code !== 0) throw new Error(r.stderr);
      const db = new Database(path.join(home(), 'catalog.sqlite'), { readonly: true });
      held = db.prepare('SELECT evidence_number, sha256, object_path, content_path, size FROM originals ORDER BY evidence_number').all() as typeof held;
      db.close();
    });

    it('every recording is held in the bucket under the prefix, COMPLIANCE-locked for retention_days, bytes as on the card', async () => {
      expect(held.map((o) => o.sha256).sort()).toEqual(fixtures.map((f) => f.sha256).sort());
      for (const o of held) {
        const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'evidence', Prefix: keyOf(o) }));
        expect(versions.Versions).toHaveLength(1);
        const ret = await s3.send(new GetObjectRetentionCommand({ Bucket: 'evidence', Key: keyOf(o) }));
        expect(ret.Retention?.Mode).toBe('COMPLIANCE');
        const days = (ret.Retention!.RetainUntilDate!.getTime() - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(1.9);
        expect(days).toBeLessThan(2.1);
      }
      // No local copy: the store folder holds no object.
      expect(runCli(['--home', home(), '--config', cfg, 'verify', '--json'], { env: rgw.stationEnv }).code).toBe(0);
    });

    it('the version id each upload returned is kept in the catalog and in the file.held entry: the one version of each file in the bucket', async () => {
      const db = new Database(path.join(home(), 'catalog.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT evidence_number, file, version_id FROM s3_held_versions').all() as { evidence_number: string; file: string; version_id: string }[];
      const entries = (db.prepare(`SELECT entry FROM audit_entries WHERE type = 'file.held'`).all() as { entry: string }[]).map((r) => JSON.parse(r.entry).data);
      db.close();
      for (const o of held) {
        const kept = Object.fromEntries(rows.filter((r) => r.evidence_number === o.evidence_number).map((r) => [r.file, r.version_id]));
        const prefix = `main/${o.object_path}/`;
        const listed = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'evidence', Prefix: prefix }))).Versions ?? [];
        expect(kept).toEqual(Object.fromEntries(listed.map((v) => [v.Key!.slice(prefix.length), v.VersionId])));
        expect(Object.keys(kept)).toEqual(expect.arrayContaining([o.content_path, 'v1/content/provenance.json', 'inventory.json', '0=ocfl_object_1.1']));
        expect(entries.find((e) => e.evidenceNumber === o.evidence_number)?.s3Versions).toEqual(kept);
      }
    });

    it('init proves the lock with the station\'s own key: each attempt refused by the service, printed and in the audit journal', () => {
      for (const a of ['DeleteObject of the locked version \\(AccessDenied', 'shortening its COMPLIANCE retention \\(AccessDenied', 'switching its retention to GOVERNANCE \\(AccessDenied', 'overwriting it \\(a new version was written on top; the locked version reads back unchanged']) {
        expect(initOut).toMatch(new RegExp(`^refused  ${a}`, 'm'));
      }
      const journal = readdirSync(path.join(home(), 'journal')).filter((f) => f.endsWith('.jsonl')).map((f) => readFileSync(path.join(home(), 'journal', f), 'utf8')).join('');
      const probe = journal.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'store.lock-probe');
      expect(probe?.data).toMatchObject({ bucket: 'evidence', prefix: 'main/' });
      expect(probe.data.attempts).toHaveLength(4);
      expect(probe.data.attempts.every((a: { refused: boolean }) => a.refused)).toBe(true);
    });

    it("the service refuses the station's own DeleteObject of a held version, shortening its retention and switching it to GOVERNANCE", async () => {
      const o = held[0];
      const v = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'evidence', Prefix: keyOf(o) }))).Versions![0];
      await expect(s3.send(new DeleteObjectCommand({ Bucket: 'evidence', Key: keyOf(o), VersionId: v.VersionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(
        s3.send(new PutObjectRetentionCommand({ Bucket: 'evidence', Key: keyOf(o), VersionId: v.VersionId, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 3_600_000) } })),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(
        s3.send(new PutObjectRetentionCommand({ Bucket: 'evidence', Key: keyOf(o), VersionId: v.VersionId, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 5 * 86_400_000) } })),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('catalog check agrees with the bucket; a fresh home with the same station id and key rebuilds the originals from the bucket alone', () => {
      const check = cli(home(), cfg, ['catalog', 'check', '--json']);
      expect(check.code, check.stdout + check.stderr).toBe(0);
      const fresh = path.join(tmp.dir, 'h-main-rebuilt');
      expect(cli(fresh, cfg, ['init']).code).toBe(0);
      const into = path.join(tmp.dir, 'rebuilt.sqlite');
      const r = cli(fresh, cfg, ['catalog', 'rebuild', '--into', into, '--json']);
      expect(JSON.parse(r.stdout)).toMatchObject({ originals: held.length, storeProblems: [] });
      const db = new Database(into, { readonly: true });
      const rebuilt = db.prepare('SELECT evidence_number, sha256, object_path, content_path, size FROM originals ORDER BY evidence_number').all();
      db.close();
      expect(rebuilt).toEqual(held);
    });

    it('verify full and quick pass; then an overwrite and a delete marker over held originals are named, and the held bytes still verify', async () => {
      for (const mode of ['--full', '--quick']) {
        const r = cli(home(), cfg, ['verify', mode, '--jobs', '2', '--json']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, checked: held.length, changed: [], missing: [], untracked: [] });
      }
      await s3.send(new PutObjectCommand({ Bucket: 'evidence', Key: keyOf(held[0]), Body: Buffer.from('not the recording') }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'evidence', Key: keyOf(held[1]) }));
      await s3.send(new PutObjectCommand({ Bucket: 'evidence', Key: 'main/aaa/bbb/ccc/stray/0=ocfl_object_1.1', Body: Buffer.from('x') }));
      const r = cli(home(), cfg, ['verify', '--full', '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.changed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ evidenceNumber: held[0].evidence_number, problem: expect.stringMatching(/^overwritten: 1 newer version/) }),
          expect.objectContaining({ evidenceNumber: held[1].evidence_number, problem: expect.stringMatching(/^deleted: a delete marker hides the held version/) }),
        ]),
      );
      expect(report.changed.filter((c: { problem: string }) => /digest/.test(c.problem))).toEqual([]);
      expect(report.untracked).toEqual([{ path: 'aaa/bbb/ccc/stray', problem: expect.stringMatching(/not in the catalog/) }]);
    });

    it('a byte changed in the held version under the gateway (RADOS, with the admin keyring) and a vanished object: verify names both', () => {
      const target = held[2];
      const pool = 'default.rgw.buckets.data';
      // A versioned object's bytes live in RADOS as "<bucket marker>__:<version id>_<key>".
      const oidOf = (o: (typeof held)[number]) => {
        const oids = rgw.admin('rados', ['-p', pool, 'ls']).split('\n').filter((l) => l.includes('__:') && l.endsWith(`_${keyOf(o)}`));
        expect(oids, `RADOS objects of ${keyOf(o)}`).toHaveLength(1);
        return oids[0];
      };
      const file = path.join(tmp.dir, 'head-object');
      const oid = oidOf(target);
      rgw.admin('rados', ['-p', pool, 'get', oid, file]);
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(file, bytes);
      rgw.admin('rados', ['-p', pool, 'put', oid, file]);
      const gone = held[3];
      rgw.admin('rados', ['-p', pool, 'rm', oidOf(gone)]);
      const r = cli(home(), cfg, ['verify', '--full']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`changed +${target.evidence_number} .*content digest changed \\(expected ${target.sha256}, found (?!${target.sha256})[0-9a-f]{64}\\)`));
      expect(r.stdout).toMatch(new RegExp(`(missing|changed) +${gone.evidence_number} `));
      expect(sha256(bytes)).not.toBe(target.sha256);
    });
  });

  it('an Art. 14 hold sets an Object Lock legal hold on every file of the recording; verify names one lifted behind its back; the release lifts it', async () => {
    const home = path.join(tmp.dir, 'h-holds');
    const cfg = configFor('holds', ['bucket = "evidence"', 'prefix = "holds"']);
    expect(cli(home, cfg, ['init']).code).toBe(0);
    const card = copyFixtureRecorder('1234567', path.join(tmp.dir, 'card-holds'));
    expect(cli(home, cfg, ['ingest', card, '--recorder', '1234567', '--json']).code).toBe(0);
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const [kept, other] = db.prepare('SELECT evidence_number, object_path, content_path FROM originals ORDER BY evidence_number').all() as { evidence_number: string; object_path: string; content_path: string }[];
    db.close();
    const filesOf = async (o: typeof kept) => (await s3.send(new ListObjectVersionsCommand({ Bucket: 'evidence', Prefix: `holds/${o.object_path}/` }))).Versions!;
    // A version that never had a legal hold answers 404 (no lock configuration) on Ceph RGW: 'none'.
    const holdOf = (key: string, versionId?: string) =>
      s3.send(new GetObjectLegalHoldCommand({ Bucket: 'evidence', Key: key, VersionId: versionId })).then((r) => r.LegalHold?.Status ?? 'none', (e) => (e.$metadata?.httpStatusCode === 404 ? 'none' : Promise.reject(e)));

    const added = cli(home, cfg, ['hold', 'add', kept.evidence_number, '--reason', 'dispute', '--text', '当事人对现场执法有异议', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout).recordings).toEqual([{ evidenceNumber: kept.evidence_number, backend: 'object-lock' }]);
    const files = await filesOf(kept);
    expect(files.map((v) => v.Key!.slice(`holds/${kept.object_path}/`.length)).sort()).toEqual(expect.arrayContaining(['inventory.json', `v1/content/${kept.content_path.split('/').pop()}`, 'v1/content/provenance.json']));
    for (const v of files) expect(await holdOf(v.Key!, v.VersionId), v.Key).toBe('ON');
    // A recording without a hold has none.
    const otherContent = `holds/${other.object_path}/${other.content_path}`;
    expect(await holdOf(otherContent)).not.toBe('ON');
    for (const mode of ['--quick', '--full']) expect(cli(home, cfg, ['verify', mode, '--json']).code).toBe(0);

    // The station's own key can lift a legal hold (S3 gives no way to forbid it to the holder of
    // s3:PutObjectLegalHold): verify names it while the Art. 14 hold is active.
    const contentKey = `holds/${kept.object_path}/${kept.content_path}`;
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'evidence', Key: contentKey, LegalHold: { Status: 'OFF' } }));
    const v = cli(home, cfg, ['verify', '--quick', '--json']);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).changed).toEqual([expect.objectContaining({ evidenceNumber: kept.evidence_number, problem: 'legal hold lifted while an Art. 14 hold is active' })]);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'evidence', Key: contentKey, LegalHold: { Status: 'ON' } }));

    expect(cli(home, cfg, ['officers', 'add', '900001', '--name', '李局长']).code).toBe(0);
    expect(cli(home, cfg, ['approvers', 'add', '900001', '--title', '局长']).code).toBe(0);
    const released = cli(home, cfg, ['hold', 'release', '1', '--by', '900001', '--text', '复议结束', '--json']);
    expect(released.code, released.stderr).toBe(0);
    for (const f of await filesOf(kept)) expect(await holdOf(f.Key!, f.VersionId), f.Key).toBe('OFF');
    expect(cli(home, cfg, ['verify', '--quick', '--json']).code).toBe(0);

    // Art. 13: an approved copy of a recording held only in the bucket, checked offline.
    expect(cli(home, cfg, ['copy', 'request', kept.evidence_number, '--requester', '王律师', '--reason', '行政复议需要']).code).toBe(0);
    expect(cli(home, cfg, ['copy', 'approve', '1', '--by', '900001']).code).toBe(0);
    const bag = path.join(tmp.dir, 'bag-from-bucket');
    const made = cli(home, cfg, ['copy', 'make', '1', '--out', bag]);
    expect(made.code, made.stderr).toBe(0);
    const checked = runCli(['copy', 'verify', bag, '--json']);
    expect(checked.code, checked.stdout).toBe(0);
    expect(readdirSync(path.join(home, 'staging'))).toEqual([]); // the fetched copy is gone from staging
  }, 480_000); // some twenty CLI runs against the gateway

  it('verify reads the version the catalog keeps, not the oldest under the key: a stray older version below it is no finding', async () => {
    const bucket = new S3Bucket({ endpoint: rgw.endpoint, region: 'default', bucket: 'evidence', prefix: 'byid', retention_days: 1, force_path_style: true, allow_governance: false }, rgw.station);
    try {
      const body = randomBytes(4096);
      const row = { evidence_number: 'ST-BYID-20261202-000001', object_path: 'aaa/bbb/ccc/byid', content_path: 'v1/content/clip.mp4', sha256: sha256(body), size: body.length, held_at: new Date().toISOString() } as OriginalRow;
      const key = `byid/${row.object_path}/${row.content_path}`;
      const lock = { mode: 'COMPLIANCE' as const, until: new Date(Date.now() + 2 * 86_400_000) };
      await bucket.putObject(key, Buffer.from('written first, by someone else'), lock);
      const ours = await bucket.putObject(key, body, lock, { sha256: row.sha256 });
      expect(ours.versionId).toBeTruthy();
      const byId = await checkS3Object(bucket, 'byid/', 1, false, row, 'quick', undefined, { [row.content_path]: ours.versionId! });
      expect(byId).toMatchObject({ changed: [] });
      expect(byId.missing).toBeUndefined();
      // Without a kept id (an original held before ids were kept) the first version is taken as held.
      const oldest = await checkS3Object(bucket, 'byid/', 1, false, row, 'quick');
      expect(oldest.changed.map((c) => c.problem)).toEqual(expect.arrayContaining([expect.stringMatching(/^overwritten: 1 newer version/), 'size changed']));
    } finally {
      bucket.destroy();
    }
  });

  it('witnessed checkpoints: each is put in the bucket under COMPLIANCE; log verify --bucket catches a rolled-back home and a forked one', async () => {
    const home = path.join(tmp.dir, 'h-witness');
    const saved = path.join(tmp.dir, 'h-witness-yesterday');
    const cfg = configFor('witness', ['bucket = "evidence"', 'prefix = "witness"']);
    expect(cli(home, cfg, ['init']).code).toBe(0);
    expect(cli(home, cfg, ['ingest', copyFixtureRecorder('1234567', path.join(tmp.dir, 'card-w1')), '--recorder', '1234567']).code).toBe(0);
    cpSync(home, saved, { recursive: true }); // the whole server as a backup would restore it

    const cp = cli(home, cfg, ['log', 'checkpoint', '--json']);
    expect(cp.code, cp.stderr).toBe(0);
    const first = JSON.parse(cp.stdout);
    expect(first.witnessed.put).toEqual([`checkpoints/${path.basename(first.file)}`]);
    const key = `witness/_evidock/witness/checkpoints/${path.basename(first.file)}`;
    const ret = await s3.send(new GetObjectRetentionCommand({ Bucket: 'evidence', Key: key }));
    expect(ret.Retention?.Mode).toBe('COMPLIANCE');
    const ok = cli(home, cfg, ['log', 'verify', '--bucket']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^the local log \(\d+ entries\) extends all 1 checkpoint\(s\)/m);

    expect(cli(home, cfg, ['ingest', copyFixtureRecorder('7654321', path.join(tmp.dir, 'card-w2')), '--recorder', '7654321']).code).toBe(0);
    const lostByRollback = heldNumbers(home);
    const second = JSON.parse(cli(home, cfg, ['log', 'checkpoint', '--json']).stdout);
    expect(second.witnessed.put).toHaveLength(1);

    // Roll the whole home back to the copy taken before: catalog, journal, checkpoints and key agree with each other.
    rmSync(home, { recursive: true, force: true });
    renameSync(saved, home);
    // The bucket already betrays a rollback that lost holds (their objects are not in the catalog)...
    const check = cli(home, cfg, ['catalog', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^original  ST-WITNESS-\d{8}-\d{6}: object in the store but not in the catalog/m);
    // ...and the witnesses betray any rollback, holds or not.
    const rolled = cli(home, cfg, ['log', 'verify', '--bucket', '--json']);
    expect(rolled.code).toBe(1);
    const report = JSON.parse(rolled.stdout);
    expect(report).toMatchObject({ ok: false, checkpoints: 2, newestWitnessedSize: second.size });
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`vouches for ${second.size} log entries; the local log has only \\d+: entries were removed`))]));

    // Write new history over the rolled-back one up to the witnessed size: a fork, not a rollback.
    for (let i = 0, size = JSON.parse(cli(home, cfg, ['log', 'verify', '--bucket', '--json']).stdout).localSize; size < second.size; i++, size++) {
      expect(cli(home, cfg, ['officers', 'add', String(800000 + i), '--name', `补录${i}`]).code).toBe(0);
    }
    const forked = cli(home, cfg, ['log', 'verify', '--bucket']);
    expect(forked.code).toBe(1);
    expect(forked.stdout).toMatch(new RegExp(`^BROKEN  witnessed checkpoint ${path.basename(second.file)}: the local log's first ${second.size} entries have another root than the witnessed one`, 'm'));
    expect(forked.stdout).toMatch(/^the local log does NOT agree with its witnesses in s3:\/\/evidence\/witness\/_evidock\/witness\//m);

    // The recorder docked again after the rollback: the catalog's counter would give it the numbers
    // whose objects the bucket already holds, locked; they are passed over and everything is held.
    const before = new Set(heldNumbers(home));
    const lost = lostByRollback.filter((n) => !before.has(n));
    expect(lost.length).toBeGreaterThan(0);
    const again = cli(home, cfg, ['ingest', copyFixtureRecorder('7654321', path.join(tmp.dir, 'card-w3')), '--recorder', '7654321']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const now = heldNumbers(home).filter((n) => !before.has(n));
    expect(now).toHaveLength(fixtures7654321().length);
    expect(now.filter((n) => lost.includes(n))).toEqual([]);
    expect(now.every((n) => n > lost.at(-1)!)).toBe(true);
    const verified = JSON.parse(cli(home, cfg, ['verify', '--full', '--json']).stdout);
    expect(verified).toMatchObject({ changed: [], missing: [] });
  }, 480_000); // three ingests and some thirty CLI runs

  it('a 40 MiB recording goes up in 16 MiB parts, each with its Content-MD5; verify quick accepts its multipart ETag and full re-hashes it', async () => {
    const home = path.join(tmp.dir, 'h-big');
    const cfg = configFor('big', ['bucket = "evidence"', 'prefix = "big"']);
    expect(cli(home, cfg, ['init']).code).toBe(0);
    const card = path.join(tmp.dir, 'card-big');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    const big = randomBytes(40 * 1024 * 1024 + 123);
    writeFileSync(path.join(card, 'DCIM', 'BIG_0001.MP4'), big);
    const r = cli(home, cfg, ['ingest', card, '--recorder', 'R-BIG', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'evidence', Prefix: 'big/' }));
    const content = versions.Versions!.find((v) => v.Key!.endsWith('/BIG_0001.MP4'))!;
    expect(content.Size).toBe(big.length);
    expect(content.ETag).toMatch(/-3"$/);
    for (const mode of ['--quick', '--full']) {
      const v = cli(home, cfg, ['verify', mode, '--json']);
      expect(v.code, v.stdout).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, checked: 1, bytes: mode === '--full' ? big.length : 0 });
    }
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'evidence', Prefix: 'big/' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('the gateway down at docking: nothing held, the session says why; the next docking after it is back holds everything', async () => {
    const home = path.join(tmp.dir, 'h-outage');
    const cfg = configFor('outage', ['bucket = "evidence"', 'prefix = "outage"']);
    expect(cli(home, cfg, ['init']).code).toBe(0);
    const card = copyFixtureRecorder('7654321', path.join(tmp.dir, 'card-outage'));
    rgw.stopGateway();
    let r;
    try {
      r = cli(home, cfg, ['ingest', card, '--recorder', '7654321', '--json']);
    } finally {
      await rgw.startGateway();
    }
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/S3 service at http:\/\/127\.0\.0\.1:\d+ is not answering \(ECONNREFUSED\)/);
    expect(JSON.parse(cli(home, cfg, ['list', '--json']).stdout)).toEqual([]);
    const again = cli(home, cfg, ['ingest', card, '--recorder', '7654321', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const want = manifest.files.filter((f) => f.recorder === '7654321').map((f) => f.sha256).sort();
    expect((JSON.parse(cli(home, cfg, ['list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256).sort()).toEqual(want);
    expect(cli(home, cfg, ['verify', '--json']).code).toBe(0);
  });

  /** A card with one big random recording; the CLI ingesting it in the background. */
  function bigCard(name: string, mib: number): { card: string; bytes: Buffer } {
    const card = path.join(tmp.dir, `card-${name}`);
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    const bytes = randomBytes(mib * 1024 * 1024);
    writeFileSync(path.join(card, 'DCIM', `${name.toUpperCase()}_0001.MP4`), bytes);
    return { card, bytes };
  }
  function ingestInBackground(home: string, cfg: string, card: string): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
    const child = spawn(process.execPath, [binPath, '--home', home, '--config', cfg, 'ingest', card, '--recorder', 'R-FAULT', '--json'], { env: { ...process.env, ...rgw.stationEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, out }))) };
  }
  async function untilUploadStarts(prefix: string, child: ChildProcess): Promise<void> {
    for (let i = 0; i < 2400; i++) {
      const u = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'evidence', Prefix: prefix }));
      if (u.Uploads?.length) return;
      if (child.exitCode !== null) throw new Error('the ingest ended before its upload started');
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no multipart upload started');
  }
  const journalOf = (home: string) =>
    readdirSync(path.join(home, 'journal')).filter((f) => f.endsWith('.jsonl')).flatMap((f) => readFileSync(path.join(home, 'journal', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));

  it('the gateway killed in the middle of a multipart upload: nothing held, the reason said; the next start aborts the torn upload and the next docking holds it', async () => {
    const home = path.join(tmp.dir, 'h-torn');
    const cfg = configFor('torn', ['bucket = "evidence"', 'prefix = "torn"']);
    expect(cli(home, cfg, ['init']).code).toBe(0);
    const { card, bytes } = bigCard('torn', 160);
    const run = ingestInBackground(home, cfg, card);
    await untilUploadStarts('torn/', run.child);
    rgw.stopGateway('SIGKILL');
    const r = await run.done;
    await rgw.startGateway();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/S3 service at http:\/\/127\.0\.0\.1:\d+ is not answering|socket hang up|ECONNRESET/);
    expect(JSON.parse(cli(home, cfg, ['list', '--json']).stdout)).toEqual([]);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'evidence', Prefix: 'torn/' }))).Uploads?.length).toBe(1);
    const again = cli(home, cfg, ['ingest', card, '--recorder', 'R-FAULT', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(cli(home, cfg, ['list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256)).toEqual([sha256(bytes)]);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'evidence', Prefix: 'torn/' }))).Uploads ?? []).toEqual([]);
    const v = cli(home, cfg, ['verify', '--full', '--json']);
    expect(v.code, v.stdout).toBe(0);
  }, 300_000); // two ingests of a 160 MiB card and a full verify, against a gateway restarted in between

  it('evidock killed in the middle of an upload (the gateway hung): staging survives, the next start finishes the upload, reads it back and holds it', async () => {
    const home = path.join(tmp.dir, 'h-crash');
    const cfg = configFor('crash', ['bucket = "evidence"', 'prefix = "crash"']);
    expect(cli(home, cfg, ['init']).code).toBe(0);
    const { card, bytes } = bigCard('crash', 80);
    const run = ingestInBackground(home, cfg, card);
    await untilUploadStarts('crash/', run.child);
    rgw.pauseGateway();
    try {
      run.child.kill('SIGKILL');
      await run.done;
    } finally {
      rgw.resumeGateway();
    }
    expect(readdirSync(path.join(home, 'staging')).length).toBe(1);
    const again = cli(home, cfg, ['ingest', card, '--recorder', 'R-FAULT', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ held: 0, alreadyHeld: 1 });
    expect((JSON.parse(cli(home, cfg, ['list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256)).toEqual([sha256(bytes)]);
    expect(journalOf(home).filter((e) => e.type === 'file.held').map((e) => e.data.recovered)).toEqual([true]);
    expect(readdirSync(path.join(home, 'staging'))).toEqual([]);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'evidence', Prefix: 'crash/' }))).Uploads ?? []).toEqual([]);
    expect(cli(home, cfg, ['verify', '--full', '--json']).code).toBe(0);
  });

  it('two stations, one bucket, at once: each holds under its own prefix and verifies only its own', async () => {
    const homes = ['east', 'west'].map((n) => ({ n, home: path.join(tmp.dir, `h-${n}`), cfg: configFor(n, ['bucket = "evidence"', `prefix = "${n}"`]) }));
    for (const h of homes) expect(cli(h.home, h.cfg, ['init']).code).toBe(0);
    const runs = homes.map((h, i) => ingestInBackground(h.home, h.cfg, copyFixtureRecorder(i ? '7654321' : 'A9K3F20', path.join(tmp.dir, `card-${h.n}`))));
    for (const r of runs) expect((await r.done).code).toBe(0);
    for (const [i, h] of homes.entries()) {
      const want = manifest.files.filter((f) => f.recorder === (i ? '7654321' : 'A9K3F20')).map((f) => f.sha256).sort();
      expect((JSON.parse(cli(h.home, h.cfg, ['list', '--json']).stdout) as { sha256: string }[]).map((o) => o.sha256).sort()).toEqual(want);
      const v = cli(h.home, h.cfg, ['verify', '--quick', '--json']);
      expect(v.code, v.stdout).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ checked: want.length, untracked: [] });
      const keys = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'evidence', Prefix: `${h.n}/` }))).Versions!.map((x) => x.Key!);
      expect(keys.filter((k) => !k.startsWith(`${h.n}/_evidock/`)).length).toBe(want.length * 7);
    }
  });
});
