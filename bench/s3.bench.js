// Issue 14: holding a 1 GiB original on S3 Object Lock (a one-node Ceph RGW on memstore, started
// here with test/system/harness/ceph-up.sh and rgw-up.sh) against the naive way to be sure:
// `s3cmd put` of the same file, then a separate `s3cmd get ... - | sha256sum`. evidock's hold is
// upload (Content-MD5 per part, 4 parts in flight) + COMPLIANCE lock + read back (one streamed GET,
// hashed on the hashing thread) + catalog commit, each phase's seconds printed. Both write into the
// same versioned Object-Lock bucket, each run under a key of its own, and both keep what they
// wrote (evidock's versions are locked; until session 7 s3cmd wrote to a plain bucket and deleted
// its copy after each run: measured per phase, neither changed the gateway's CPU, but the same
// bucket and the same memory filling leave no doubt); peak RSS at 256 MiB and
// 1 GiB shows memory does not grow with the file; the CPU seconds of evidock, s3cmd and the
// gateway (radosgw + ceph-osd) show who waits on whom, the load averages how busy the machine
// was. Needs root, Ceph and s3cmd. S3_BENCH_MIB=64,256 picks other sizes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { childCpuSeconds, fmt, makeFile, MiB, repoRoot, tempDir, timeShell } from './lib.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const RUNS = 3;
const HARNESS = path.join(repoRoot, 'test', 'system', 'harness');
const KEY = { id: 'BENCHSTATION', secret: 'bench-secret-not-for-production' };

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

function missing() {
  const out = [];
  if (process.getuid?.() !== 0) out.push('root');
  for (const bin of ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 's3cmd']) if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) out.push(bin);
  return out;
}

/** CPU seconds used so far by the Ceph daemons the harness started (their pid files under $D/run); `only` picks one (e.g. "rgw", "osd"). */
function cephCpuSeconds(dir, only = '') {
  let ticks = 0;
  for (const f of readdirSync(path.join(dir, 'run')).filter((n) => n.endsWith('.pid') && n.includes(only))) {
    try {
      const stat = readFileSync(`/proc/${readFileSync(path.join(dir, 'run', f), 'utf8').trim()}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // a daemon that is gone uses no more CPU
    }
  }
  return ticks / 100;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export default async function s3Bench() {
  const lacking = missing();
  if (lacking.length) {
    console.log(`*** SKIPPING s3 bench: missing ${lacking.join(', ')} (Debian: ceph-mon ceph-osd radosgw ceph-common s3cmd) ***`);
    return;
  }
  const tmp = tempDir('evidock-s3bench-');
  const ceph = path.join(tmp.dir, 'ceph');
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  // evidock's copies stay locked for a day, and s3cmd's stay too: room for both in memory.
  const env = { ...process.env, D: ceph, MON_PORT: String(monPort), RGW_PORT: String(rgwPort), CEPH_CONF: path.join(ceph, 'ceph.conf'), MEMSTORE_BYTES: String(10 * 1024 * MiB) };
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  try {
    execFileSync(path.join(HARNESS, 'ceph-up.sh'), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(path.join(HARNESS, 'rgw-up.sh'), { env });
    for (let i = 0; i < 240; i++) {
      if (await fetch(endpoint).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    execFileSync('radosgw-admin', ['user', 'create', '--uid', 'bench', '--display-name', 'bench', '--access-key', KEY.id, '--secret-key', KEY.secret], { env, stdio: 'ignore' });
    const s3cfg = path.join(tmp.dir, 's3cfg');
    writeFileSync(s3cfg, `[default]\naccess_key = ${KEY.id}\nsecret_key = ${KEY.secret}\nhost_base = 127.0.0.1:${rgwPort}\nhost_bucket = 127.0.0.1:${rgwPort}\nuse_https = False\nsignature_v2 = False\n`);
    const s3cmd = `s3cmd -q -c '${s3cfg}'`;
    const evEnv = { ...process.env, AWS_ACCESS_KEY_ID: KEY.id, AWS_SECRET_ACCESS_KEY: KEY.secret };
    // The locked bucket (created the way IT would, with Object Lock), for both contenders.
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const c = new S3Client({ endpoint, region: 'default', forcePathStyle: true, credentials: { accessKeyId: KEY.id, secretAccessKey: KEY.secret } });
    await c.send(new CreateBucketCommand({ Bucket: 'evidence', ObjectLockEnabledForBucket: true }));
    c.destroy();
    const sizes = (process.env.S3_BENCH_MIB ?? '256,1024').split(',').map(Number);
    for (const sizeMiB of sizes) {
      const file = path.join(tmp.dir, `clip-${sizeMiB}.mp4`);
      makeFile(file, sizeMiB * MiB);
      const t = { ev: [], naive: [] };
      const cpu = { ev: [], evCeph: [], evRgw: [], naive: [], naiveCeph: [], naiveRgw: [] };
      const phases = [];
      let rss = 0;
      const loadBefore = load();
      const contenders = [
        () => {
          const home = path.join(tmp.dir, `home-${Date.now()}`);
          mkdirSync(home);
          const [ceph0, rgw0] = [cephCpuSeconds(ceph), cephCpuSeconds(ceph, 'rgw')];
          const out = execFileSync(process.execPath, [path.join(repoRoot, 'bench', 's3-hold-child.js'), file, home, endpoint, 'evidence', `bench-${Date.now()}`], { env: evEnv, encoding: 'utf8' });
          const r = JSON.parse(out.trim().split('\n').pop());
          t.ev.push(r.seconds);
          cpu.ev.push(r.cpuSeconds);
          cpu.evCeph.push(cephCpuSeconds(ceph) - ceph0);
          cpu.evRgw.push(cephCpuSeconds(ceph, 'rgw') - rgw0);
          phases.push(r.phases);
          rss = Math.max(rss, r.maxRssKiB);
          rmSync(home, { recursive: true, force: true });
        },
        () => {
          const [ceph0, rgw0] = [cephCpuSeconds(ceph), cephCpuSeconds(ceph, 'rgw')];
          const own0 = childCpuSeconds();
          const key = `s3cmd-${sizeMiB}-${Date.now()}`;
          t.naive.push(timeShell(`${s3cmd} put '${file}' s3://evidence/${key} && ${s3cmd} get s3://evidence/${key} - | sha256sum >/dev/null`));
          cpu.naiveCeph.push(cephCpuSeconds(ceph) - ceph0);
          cpu.naiveRgw.push(cephCpuSeconds(ceph, 'rgw') - rgw0);
          cpu.naive.push(childCpuSeconds() - own0);
        },
      ];
      for (let r = 0; r < RUNS; r++) for (let k = 0; k < contenders.length; k++) contenders[(r + k) % contenders.length]();
      const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
      const line = (name, a) => `  ${name.padEnd(34)} median ${fmt(med(a), 2)} s  ${fmt(sizeMiB / med(a))} MiB/s   (runs: ${a.map((x) => fmt(x, 2)).join(' ')})`;
      console.log(`${sizeMiB} MiB on Ceph RGW (memstore, one node), ${RUNS} runs each, order rotated; load average before ${loadBefore}, after ${load()}:`);
      console.log(line('s3cmd put + s3cmd get | sha256sum', t.naive) + `  CPU: s3cmd+sha256sum ${fmt(med(cpu.naive))} s, gateway ${fmt(med(cpu.naiveCeph))} s (radosgw ${fmt(med(cpu.naiveRgw))})`);
      console.log(line('evidock hold (upload+lock+read back)', t.ev) + `  peak RSS ${fmt(rss / 1024)} MiB  CPU: evidock ${fmt(med(cpu.ev))} s, gateway ${fmt(med(cpu.evCeph))} s (radosgw ${fmt(med(cpu.evRgw))})`);
      const names = [...new Set(phases.flatMap((p) => Object.keys(p)))];
      console.log(`    where the hold's time goes (median s; small files overlap the content's read-back): ${names.map((n) => `${n} ${fmt(med(phases.map((p) => p[n] ?? 0)), 2)}`).join(', ')}`);
      console.log(`  ratio ${fmt(med(t.naive) / med(t.ev), 2)}x (target >= 1.5)`);
      rmSync(file, { force: true });
    }
  } finally {
    spawnSync(path.join(HARNESS, 'ceph-down.sh'), { env, stdio: 'ignore' });
    tmp.cleanup();
  }
}
