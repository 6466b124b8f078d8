// Issue 4: `report compliance` over 1 000 000 recordings in the catalog, target < 5 s.
// Generates a catalog (originals + current deadline facts, 1 % of them re-evaluated so the
// "newest fact per original" logic is exercised) in a temp home, then times the report
// in-process and through the real CLI (`evidock report compliance --format json`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fmt, repoRoot, tempDir } from './lib.js';

const DEFAULT_N = 1_000_000;
const OFFICERS = 500;

export function generate(home, n) {
  const { openCatalog } = awaitImport('store/catalog.js');
  const db = openCatalog(path.join(home, 'catalog.sqlite'));
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB: index inserts stay in memory
  const t0 = process.hrtime.bigint();
  const base = Date.parse('2026-01-05T00:00:00Z');
  const H = 3_600_000;
  db.transaction(() => {
    db.prepare(`INSERT INTO sessions (id, recorder_id, source, slot, started_at, status) VALUES ('bench', 'R', '/bench', NULL, '2026-01-05T00:00:00Z', 'done')`).run();
    const orig = db.prepare(
      `INSERT INTO originals (evidence_number, object_id, object_path, content_path, file_name, sha256, sm3, size, recorder_id, officer_id,
         source_path, source_path_raw, source_mtime_ms, session_id, held_at) VALUES (?, ?, ?, 'v1/content/f.mp4', 'f.mp4', ?, NULL, 1, ?, ?, 'f.mp4', x'00', NULL, 'bench', ?)`,
    );
    const fact = db.prepare(
      `INSERT INTO deadline_facts (evidence_number, officer_id, recorder_id, unit, made_at, made_at_source, time_flagged, made_on, due_at,
         working_day_due_at, trip_due_at, trip_id, held_at, status, unknown_reason, detail, late_hours, late_working_days, rule,
         calendar_version, time_zone, cause, evaluated_at, supersedes)
       VALUES (?, ?, ?, NULL, ?, 'recording-start', 0, NULL, ?, ?, NULL, NULL, ?, ?, ?, NULL, ?, ?, 'art10:2-working-days+trip-24h@1',
         '2026:chinese-days@1.5.7', 'Asia/Shanghai', ?, '2026-01-05T00:00:00Z', ?)`,
    );
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < n; i++) {
      const e = `BENCH-${String(i).padStart(8, '0')}`;
      const officer = `O${String(i % OFFICERS).padStart(5, '0')}`;
      const made = base + Math.floor(rnd() * 300 * 24) * H;
      const held = made + Math.floor(rnd() * 120 * 60) * 60_000; // up to 120 h later
      const due = made + 72 * H;
      const r = rnd();
      const status = r < 0.02 ? 'unknown' : held <= due ? 'on-time' : 'late';
      orig.run(e, `urn:${e}`, `obj/${e}`, e.padEnd(64, '0'), `R${i % 700}`, officer, new Date(held).toISOString());
      const late = status === 'late' ? (held - due) / H : null;
      const first = fact.run(e, officer, `R${i % 700}`, status === 'unknown' ? null : made, status === 'unknown' ? null : due, due, held, status, status === 'unknown' ? 'calendar-unknown' : null, late, late === null ? null : Math.ceil(late / 24), 'held', null).lastInsertRowid;
      if (i % 100 === 0) fact.run(e, officer, `R${i % 700}`, made, due + 48 * H, due, held, 'on-time', null, null, null, 'trip-registered:1', first);
    }
  })();
  db.pragma('synchronous = FULL');
  const rows = db.prepare('SELECT COUNT(*) AS n FROM deadline_facts').get().n;
  db.close();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, facts: rows };
}

let distModules;
function awaitImport(rel) {
  return distModules[rel];
}

export async function loadDist() {
  distModules = {
    'store/catalog.js': await import(path.join(repoRoot, 'dist', 'store', 'catalog.js')),
    'facts/index.js': await import(path.join(repoRoot, 'dist', 'facts', 'index.js')),
  };
  return distModules;
}

export default async function reportBench(flags) {
  const n = flags.includes('--quick') ? 100_000 : DEFAULT_N;
  await loadDist();
  const tmp = tempDir('evidock-bench-report-');
  try {
    const home = tmp.dir;
    const gen = generate(home, n);
    console.log(`catalog: ${n.toLocaleString('en')} recordings, ${gen.facts.toLocaleString('en')} deadline facts, ${OFFICERS} officers (generated in ${fmt(gen.seconds, 1)} s)`);
    const { openCatalog } = distModules['store/catalog.js'];
    const { complianceReport } = distModules['facts/index.js'];
    let best = Infinity;
    let rows;
    for (let r = 0; r < 3; r++) {
      const db = openCatalog(path.join(home, 'catalog.sqlite'));
      const t0 = process.hrtime.bigint();
      rows = complianceReport(db, {});
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      db.close();
    }
    const total = rows.reduce((s, r) => s + r.recordings, 0);
    if (total !== n) throw new Error(`report counted ${total} recordings, expected ${n}`);
    console.log(`  in-process complianceReport (best of 3)   ${fmt(best, 2)} s`);
    const timeCli = (args) => {
      const t1 = process.hrtime.bigint();
      const out = execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'evidock.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      return { seconds: Number(process.hrtime.bigint() - t1) / 1e9, out };
    };
    const startup = Math.min(...[0, 1, 2].map(() => timeCli(['--help']).seconds));
    const runs = [0, 1, 2].map(() => timeCli(['--home', home, 'report', 'compliance', '--format', 'json']));
    const cliRows = JSON.parse(runs[0].out);
    if (cliRows.length !== OFFICERS) throw new Error(`CLI printed ${cliRows.length} officers`);
    const secs = runs.map((r) => r.seconds);
    const cli = Math.min(...secs);
    console.log(`  CLI evidock report compliance, 3 runs      best ${fmt(cli, 2)} s, worst ${fmt(Math.max(...secs), 2)} s  (target < 5 s): ${Math.max(...secs) < 5 ? 'OK' : cli < 5 ? 'OK at best, over at worst' : 'OVER TARGET'}`);
    console.log(`  (of which CLI start-up alone, evidock --help: ${fmt(startup, 2)} s)`);
  } finally {
    tmp.cleanup();
  }
}
