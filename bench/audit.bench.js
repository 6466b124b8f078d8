// Audit log and fixity at scale (issue 5).
//  log:    append rate of 1 000 000 entries into the catalog (Merkle nodes stored on append),
//          inclusion and consistency proof times at that size, export of all entries, offline
//          verify of that export, journal write of all entries.
//  fixity: full verify of a store of 8 GiB in 1 GiB objects (evidock verify --jobs 1 and 2)
//          against sha256sum and hashdeep -r over the same files in the same run.
// Flags: --entries=N (default 1000000), --objects=N --object-mib=M (default 8 x 1024),
//        --skip-log, --skip-fixity.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MiB, dropCaches, fmt, makeFile, repoRoot, tempDir, timeShell } from './lib.js';

const dist = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', p)).href);
const flag = (flags, name, def) => {
  const f = flags.find((x) => x.startsWith(`--${name}=`));
  return f ? Number(f.split('=')[1]) : def;
};
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }; // s of this process's CPU
// The machine may be shared: CPU seconds say what the work costs, wall seconds what it took here.
const loadavg = () => { try { return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]; } catch { return '?'; } };

async function logBench(n, tmp) {
  const { openCatalog, catalogTaskRunner } = await dist('store/catalog.js');
  const { appendAuditEntry, attachAuditHome, flushAuditJournal } = await dist('audit/log.js');
  const { auditTree } = await dist('audit/tree-store.js');
  const { verifyInclusion, verifyConsistency } = await dist('audit/merkle.js');
  const { exportLog } = await dist('audit/station.js');
  const { verifyExport } = await dist('audit/export.js');
  const home = path.join(tmp, 'loghome');
  mkdirSync(home, { recursive: true });
  const db = openCatalog(path.join(home, 'catalog.sqlite'));
  const actor = { via: 'daemon', user: 'bench' };
  const entry = (i) => ({
    type: 'file.held',
    actor,
    data: { evidenceNumber: `STATION-20261127-${String(i).padStart(7, '0')}`, sha256: 'ab'.repeat(32), size: 1_000_000 + i, recorder: 'R1', officer: 'O7', sourcePath: `DCIM/100MEDIA/CLIP${i}.MP4` },
  });

  // One transaction per entry, as ingest commits them (durable: synchronous = FULL, WAL).
  const single = Math.min(5000, n);
  let t = now();
  for (let i = 0; i < single; i++) db.transaction(() => appendAuditEntry(db, entry(i)))();
  const singleRate = single / ((now() - t) / 1000);
  // The rest in batches of 1000 per transaction.
  t = now();
  const c0 = cpu();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) appendAuditEntry(db, entry(i));
  });
  for (let i = single; i < n; i += 1000) batch(i, Math.min(n, i + 1000));
  const batchRate = (n - single) / ((now() - t) / 1000);
  const batchCpuRate = (n - single) / (cpu() - c0);
  console.log(`append: ${fmt(singleRate, 0)} entries/s one per transaction (durable, fsync each), ${fmt(batchRate, 0)} entries/s in batches of 1000 (${fmt(batchCpuRate, 0)} per CPU second); log size ${n}; load average ${loadavg()}`);

  const tree = auditTree(db);
  const reps = 2000;
  const rnd = (k) => Math.floor(Math.random() * k);
  t = now();
  for (let r = 0; r < reps; r++) tree.root(1 + rnd(n));
  const rootMs = (now() - t) / reps;
  const p99 = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length * 0.99)];
  const incl = [];
  for (let r = 0; r < reps; r++) {
    const size = 1 + rnd(n);
    const idx = rnd(size);
    const t1 = now();
    tree.inclusionProof(idx, size);
    incl.push(now() - t1);
  }
  const inclMs = incl.reduce((x, y) => x + y, 0) / reps;
  const idx = rnd(n);
  verifyInclusion(idx, n, tree.leafHashAt(idx), tree.inclusionProof(idx, n), tree.root(n));
  const cons = [];
  for (let r = 0; r < reps; r++) {
    const b = 1 + rnd(n);
    const a = 1 + rnd(b);
    const t1 = now();
    tree.consistencyProof(a, b);
    cons.push(now() - t1);
  }
  const consMs = cons.reduce((x, y) => x + y, 0) / reps;
  const a = 1 + rnd(n);
  verifyConsistency(a, n, tree.consistencyProof(a, n), tree.root(a), tree.root(n));
  console.log(`root at a random size: ${fmt(rootMs, 3)} ms; inclusion proof: mean ${fmt(inclMs, 3)} ms, p99 ${fmt(p99(incl), 3)}, worst ${fmt(Math.max(...incl), 2)}; consistency proof: mean ${fmt(consMs, 3)} ms, p99 ${fmt(p99(cons), 3)}, worst ${fmt(Math.max(...cons), 2)}  (${reps} random each)  [target < 10 ms]`);

  t = now();
  attachAuditHome(db, home); // journals the whole log
  flushAuditJournal(db);
  console.log(`journal: ${n} entries written and fsync'd in ${fmt((now() - t) / 1000, 2)} s`);

  t = now();
  let c = cpu();
  const out = path.join(tmp, 'export');
  // as `evidock log export` runs it: the CSV on a worker thread with its own read-only handle
  const r = await exportLog(db, { homeDir: home, stationId: 'STATION' }, { out, actor, inWorker: catalogTaskRunner(path.join(home, 'catalog.sqlite')) });
  const exportS = (now() - t) / 1000;
  console.log(`export of all ${r.end} entries (JSONL + CSV + leaf hashes + checkpoint + proofs): ${fmt(exportS, 2)} s wall, ${fmt(cpu() - c, 2)} s CPU (load average ${loadavg()})  [target < 10 s]`);
  t = now();
  c = cpu();
  const v = verifyExport(out, {});
  console.log(`offline log verify of that export: ${fmt((now() - t) / 1000, 2)} s wall, ${fmt(cpu() - c, 2)} s CPU, ok=${v.ok}`);
  db.close();
}

function fixityBench(objects, objectMiB, tmp, flags) {
  const home = path.join(tmp, 'fixhome');
  const card = path.join(tmp, 'card');
  mkdirSync(card, { recursive: true });
  let t = now();
  for (let i = 0; i < objects; i++) makeFile(path.join(card, `CLIP${String(i).padStart(4, '0')}.MP4`), objectMiB * MiB);
  console.log(`made ${objects} x ${objectMiB} MiB in ${fmt((now() - t) / 1000, 1)} s`);
  const cli = (args) => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'evidock.js'), '--home', home, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`evidock ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  t = now();
  cli(['ingest', card]);
  console.log(`ingested in ${fmt((now() - t) / 1000, 1)} s`);
  const store = path.join(home, 'store');
  const files = spawnSync('bash', ['-c', `find '${store}' -name 'CLIP*.MP4' -type f`], { encoding: 'utf8' }).stdout.trim().split('\n');
  const list = path.join(tmp, 'files.txt');
  spawnSync('bash', ['-c', `printf '%s\\n' ${files.map((f) => `'${f}'`).join(' ')} > '${list}'`]);
  const gib = (objects * objectMiB) / 1024;
  const total = objects * objectMiB;
  const runs = [
    ['evidock verify --jobs 1', () => cli(['verify', '--jobs', '1'])],
    ['evidock verify --jobs 2', () => cli(['verify', '--jobs', '2'])],
    ['evidock verify --quick', () => cli(['verify', '--quick'])],
    ['sha256sum', () => timeShell(`xargs -a '${list}' -d '\\n' sha256sum > /dev/null`)],
    ['hashdeep -r (md5+sha256, its default)', () => timeShell(`hashdeep -r '${store}' > /dev/null`)],
    ['hashdeep -c sha256 -r', () => timeShell(`hashdeep -c sha256 -r '${store}' > /dev/null`)],
  ];
  const modes = ['warm'];
  if (dropCaches(flags)) modes.push('cold');
  else console.log('(cold cache runs skipped: they drop the whole machine\'s page cache; pass --drop-caches, as root, on a machine of your own)');
  for (const mode of modes) {
    const secs = {};
    timeShell(`cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`); // warm up
    for (const [name, fn] of runs) {
      if (mode === 'cold') dropCaches(flags);
      const t0 = now();
      fn();
      secs[name] = (now() - t0) / 1000;
    }
    console.log(`\nfull verify of ${fmt(gib, 1)} GiB in ${objects} objects, ${mode} cache:`);
    for (const [name] of runs) console.log(`  ${name.padEnd(40)} ${fmt(secs[name], 2).padStart(7)} s  ${fmt(total / secs[name], 0).padStart(6)} MiB/s`);
    const s = (k) => secs[k];
    console.log(`  ratio jobs 1 / sha256sum: ${fmt(s('sha256sum') / s('evidock verify --jobs 1'), 2)}x [target >= 1.5]`);
    console.log(`  ratio jobs 2 / sha256sum: ${fmt(s('sha256sum') / s('evidock verify --jobs 2'), 2)}x [target >= 2.5]`);
    console.log(`  ratio jobs 2 / hashdeep -r: ${fmt(s('hashdeep -r (md5+sha256, its default)') / s('evidock verify --jobs 2'), 2)}x, / hashdeep -c sha256: ${fmt(s('hashdeep -c sha256 -r') / s('evidock verify --jobs 2'), 2)}x [target >= 3]`);
  }
}

export default async function auditBench(flags) {
  const tmp = tempDir('evidock-audit-bench-');
  try {
    if (!flags.includes('--skip-log')) await logBench(flag(flags, 'entries', 1_000_000), tmp.dir);
    if (!flags.includes('--skip-fixity')) fixityBench(flag(flags, 'objects', 8), flag(flags, 'object-mib', 1024), tmp.dir, flags);
  } finally {
    tmp.cleanup();
  }
}
