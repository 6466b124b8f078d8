// Issue 17: shift change. Recorders that read at USB 2 (40 MB/s) or USB 3 (200 MB/s) speed, each
// a loop-mounted ext4 card whose reads the kernel throttles (bench/docking-throttle.js), with a
// shift's content scaled down (bench/docking-cards.js).
//   P1: one recorder, `evidock ingest` until everything is held vs `cat` of the same throttled
//       card to /dev/null, interleaved, fresh mount (cold cache) each run. Target <= 1.05x.
//   P3: 8, 16, 32 recorders docked within 10 s through the daemon's directory dock at 40 MB/s:
//       aggregate held MB/s vs the bound (aggregate source bandwidth or the store disk's own
//       measured write speed, whichever is lower), CPU s per GiB held, peak RSS, longest wait of a
//       slot before its first bytes are copied, last docked -> last safe to remove.
// Every run is checked afterwards (not timed): every file held, `evidock verify` passes.
// Flags: --only=p1|p3|page  --page=PAIRS (P3 with and without the kiosk open in chromium, issue 16;
// --page-recorders=N, default the smallest count)  --recorders=8,16,32  --scale=S (P3 card size, default 0.125 of a full
// shift: 12 videos of 8-32 MiB) --p1-scale=S (default 0.5)  --runs=N (P1, default 3)
// --videos=N; EVIDOCK_BENCH_SCALE sets --scale. Needs root (loop mounts, a cgroup of its own).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { makeCardImage, mountCard } from './docking-cards.js';
import { makeThrottleGroup, throttleMissing } from './docking-throttle.js';
import { browserMissing, openKiosk } from './kiosk-browser.js';
import { fmt, MiB, repoRoot, tempDir } from './lib.js';

const CLI = path.join(repoRoot, 'bin', 'evidock.js');
const MB = 1e6;
const GiB = 1024 * MiB;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => {
  const x = [...a].sort((p, q) => p - q);
  return (x[(x.length - 1) >> 1] + x[x.length >> 1]) / 2;
};

function flag(flags, name, fallback) {
  const f = flags.find((a) => a.startsWith(`--${name}=`));
  return f ? f.slice(name.length + 3) : fallback;
}

function evidock(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 * MiB });
  return r;
}

function freshHome(home, extraToml = '') {
  rmSync(home, { recursive: true, force: true });
  const init = evidock(['init', '--station', 'BENCH', '--home', home]);
  if (init.status !== 0) throw new Error(`evidock init failed: ${init.stderr}`);
  if (extraToml) writeFileSync(path.join(home, 'evidock.toml'), readFileSync(path.join(home, 'evidock.toml'), 'utf8') + extraToml);
}

/** Not timed: every expected file is held and `evidock verify` re-hashes them all cleanly. */
function checkHome(home, expectedFiles) {
  const list = evidock(['--home', home, 'list', '--json']);
  if (list.status !== 0) throw new Error(`evidock list failed: ${list.stderr}`);
  const held = JSON.parse(list.stdout).length;
  const verify = evidock(['--home', home, 'verify', '--json']);
  if (held !== expectedFiles) throw new Error(`${held} files held of ${expectedFiles}`);
  if (verify.status !== 0) throw new Error(`evidock verify exited ${verify.status}: ${verify.stdout.slice(0, 2000)} ${verify.stderr.slice(0, 2000)}`);
  return { held, verified: true };
}

/** Run argv inside the throttle group; resolves to { seconds, stdout, code }. */
function runThrottled(group, argv) {
  const [cmd, args] = group.wrap(argv);
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstOut;
    p.stdout.setEncoding('utf8').on('data', (c) => {
      firstOut ??= process.hrtime.bigint();
      stdout += c;
    });
    p.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    p.on('error', reject);
    const startedAt = Date.now();
    p.on('exit', (code) =>
      resolve({ seconds: Number(process.hrtime.bigint() - t) / 1e9, firstOutputS: firstOut === undefined ? undefined : Number(firstOut - t) / 1e9, startedAt, stdout, stderr, code }),
    );
  });
}

/** The store disk's own write speed: 1 GiB (or less) written and fdatasync'ed in its folder, best of two. */
function storeWriteSpeed(dir, bytes = GiB) {
  const buf = randomBytes(8 * MiB);
  let best = 0;
  for (let run = 0; run < 2; run++) {
    const file = path.join(dir, `write-speed-${run}`);
    const t = process.hrtime.bigint();
    const fd = openSync(file, 'w');
    for (let at = 0; at < bytes; at += buf.length) {
      buf.writeUInt32LE(at / buf.length, 0);
      writeSync(fd, buf, 0, Math.min(buf.length, bytes - at));
    }
    fdatasyncSync(fd);
    closeSync(fd);
    best = Math.max(best, bytes / (Number(process.hrtime.bigint() - t) / 1e9));
    rmSync(file);
  }
  return best;
}

/** P1: one recorder at `rate` B/s; evidock ingest vs cat, `runs` each, order alternating. */
async function p1(work, group, card, rate, runs) {
  const mnt = path.join(work, 'p1-card');
  const home = path.join(work, 'p1-home');
  const t = { cat: [], ev: [], firstBytes: [], summary: [], afterEnd: [] };
  const check = [];
  const catOnce = async () => {
    const m = mountCard(card.img, mnt);
    try {
      group.limit(m.majMin, rate);
      const r = await runThrottled(group, ['sh', '-c', `find '${mnt}' -type f -exec cat {} + > /dev/null`]);
      if (r.code !== 0) throw new Error(`cat failed: ${r.stderr}`);
      t.cat.push(r.seconds);
    } finally {
      m.unmount();
    }
  };
  const evOnce = async () => {
    // debug: the one-shot CLI then logs its info lines (first bytes copied, session ended) to stderr
    freshHome(home, '\n[log]\nlevel = "debug"\n');
    const m = mountCard(card.img, mnt);
    try {
      group.limit(m.majMin, rate);
      const r = await runThrottled(group, [process.execPath, CLI, 'ingest', mnt, '--home', home, '--json', '--recorder', card.serial]);
      if (r.code !== 0) throw new Error(`evidock ingest exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      t.ev.push(r.seconds);
      // where the time beyond the card's own goes: before the first bytes, and after the session ended
      const logged = r.stderr.split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
      const at = (msg) => logged.find((l) => l.msg === msg)?.time;
      t.firstBytes.push((at('first bytes copied') - r.startedAt) / 1000);
      t.summary.push(r.firstOutputS);
      t.afterEnd.push(r.seconds - (at('session ended') - r.startedAt) / 1000);
    } finally {
      m.unmount();
    }
    check.push(checkHome(home, card.files));
  };
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) (await catOnce(), await evOnce());
    else (await evOnce(), await catOnce());
  }
  rmSync(home, { recursive: true, force: true });
  return {
    rate,
    bytes: card.bytes,
    files: card.files,
    cat: t.cat,
    ev: t.ev,
    ratio: median(t.ev) / median(t.cat),
    firstBytesS: median(t.firstBytes),
    summaryS: median(t.summary),
    afterEndS: median(t.afterEnd),
    held: check.every((c) => c.held === card.files && c.verified),
  };
}

/** Reads the daemon's JSON log lines as they come. */
function logReader(stream) {
  const lines = [];
  let buf = '';
  stream.setEncoding('utf8').on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      try {
        lines.push(JSON.parse(buf.slice(0, i)));
      } catch {
        /* not JSON */
      }
      buf = buf.slice(i + 1);
    }
  });
  return lines;
}

const CLK_TCK = 100;
/** CPU seconds of pid (with its waited-for children) and of its live descendants. */
function cpuSecondsOfTree(pid) {
  const stats = new Map();
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(p), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) });
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const walk = (p) => {
    const s = stats.get(p);
    if (!s) return;
    total += s.cpu + (p === pid ? s.children : 0);
    for (const [c, cs] of stats) if (cs.ppid === p) walk(c);
  };
  walk(pid);
  return total / CLK_TCK;
}

/** CPU seconds used so far by every chromium process on this machine (the kiosk's browser). */
function browserCpuSeconds() {
  let total = 0;
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (!/\((chromium|chrome)[^)]*\)/.test(s.slice(s.indexOf('('), s.lastIndexOf(')') + 1))) continue;
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      total += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return total / CLK_TCK;
}

function peakRssMiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * P3: n recorders (cards[0..n)) docked through the daemon's directory dock within spreadMs; with
 * `page`, the station page's kiosk is open in chromium on this machine the whole time.
 */
async function p3(work, group, cards, rate, spreadMs, { page = false } = {}) {
  const n = cards.length;
  const home = path.join(work, `p3-home-${n}`);
  let kiosk;
  freshHome(home, '\n[docks]\nmount = "off"\n');
  const pre = path.join(work, `p3-pre-${n}`);
  const mounts = [];
  // EVIDOCK_BENCH_DAEMON_NODE_ARGS: node options for the daemon only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it
  const nodeArgs = (process.env.EVIDOCK_BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const [cmd, args] = group.wrap([process.execPath, ...nodeArgs, CLI, '--home', home, 'daemon']);
  const daemon = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, EVIDOCK_WEB_LISTEN: '127.0.0.1:0' } });
  const lines = logReader(daemon.stdout);
  const exited = new Promise((r) => daemon.on('exit', r));
  try {
    const until = async (pred, ms, what) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        if (daemon.exitCode !== null) throw new Error(`the daemon ended (${daemon.exitCode}) while waiting for ${what}`);
        await sleep(20);
      }
    };
    await until(() => lines.some((l) => l.msg === 'evidock daemon ready'), 60_000, 'the daemon');
    if (page) {
      // the page starts right after the daemon says it is ready
      await until(() => lines.some((l) => l.msg === 'station page listening'), 30_000, 'the station page to listen');
      const listening = lines.find((l) => l.msg === 'station page listening');
      kiosk = await openKiosk(listening.url);
    }
    // each card mounted fresh (nothing of it in the page cache), in a folder renamed into the docks folder
    const slots = cards.map((c, i) => `R${String(i + 1).padStart(2, '0')}`);
    for (const [i, c] of cards.entries()) {
      const mnt = path.join(pre, slots[i], 'card');
      const m = mountCard(c.img, mnt);
      mounts.push({ m, at: mnt });
      group.limit(m.majMin, rate);
    }
    const cpu0 = cpuSecondsOfTree(daemon.pid);
    const browser0 = kiosk ? browserCpuSeconds() : 0;
    const docked = [];
    const t0 = Date.now();
    for (const [i, slot] of slots.entries()) {
      const due = t0 + (n > 1 ? (i * spreadMs) / (n - 1) : 0);
      if (due > Date.now()) await sleep(due - Date.now());
      renameSync(path.join(pre, slot), path.join(home, 'docks', slot));
      mounts[i].at = path.join(home, 'docks', slot, 'card');
      docked.push(Date.now());
    }
    const endOf = (slot) => lines.find((l) => l.msg === 'slot state' && l.slot === slot && (l.state === 'done' || l.state === 'error'));
    const totalBytes = cards.reduce((s, c) => s + c.bytes, 0);
    await until(() => slots.every(endOf), Math.max(600_000, (totalBytes / (50 * MB)) * 1000), 'every slot to finish');
    const cpu = cpuSecondsOfTree(daemon.pid) - cpu0;
    const browserCpuS = kiosk ? browserCpuSeconds() - browser0 : undefined;
    const rss = peakRssMiB(daemon.pid);
    const errors = slots.filter((s) => endOf(s).state !== 'done');
    // not timed: the open page followed the docking to the end (each slot's tile shows done)
    const tilesDone = kiosk ? await kiosk.page.waitForFunction((k) => document.querySelectorAll('article.tile[data-state="done"]').length >= k, n, { timeout: 10_000 }).then(() => true, () => false) : undefined;
    if (errors.length) throw new Error(`slots ended in error: ${errors.map((s) => `${s} (${endOf(s).message})`).join(', ')}`);
    const ended = lines.filter((l) => l.msg === 'session ended');
    const bytesHeld = ended.reduce((s, l) => s + (l.bytesHeld ?? 0), 0);
    const firstBytes = slots.map((slot, i) => {
      const l = lines.find((x) => x.slot === slot && x.msg === 'first bytes copied') ?? lines.find((x) => x.msg === 'slot state' && x.slot === slot && x.state === 'copying');
      return l.time - docked[i];
    });
    const lastDone = Math.max(...slots.map((s) => endOf(s).time));
    return {
      n,
      rate,
      bytesHeld,
      totalBytes,
      seconds: (lastDone - docked[0]) / 1000,
      heldMBps: bytesHeld / MB / ((lastDone - docked[0]) / 1000),
      cpuPerGiB: cpu / (bytesHeld / GiB),
      peakRssMiB: rss,
      longestFirstByteS: Math.max(...firstBytes) / 1000,
      firstByteSource: lines.some((x) => x.msg === 'first bytes copied') ? 'first bytes copied' : 'slot copying',
      lastDockedToSafeS: (lastDone - docked[n - 1]) / 1000,
      // a perfect station: every card read at the source rate from the moment it was docked
      idealS: Math.max(...cards.map((c, i) => (docked[i] - docked[0]) / 1000 + c.bytes / rate)),
      page,
      tilesDone,
      cpuS: cpu,
      browserCpuS,
      dockSpreadS: (docked[n - 1] - docked[0]) / 1000,
      _home: home,
      _expected: cards.reduce((s, c) => s + c.files, 0),
    };
  } finally {
    await kiosk?.close();
    if (daemon.exitCode === null) daemon.kill('SIGTERM');
    await exited;
    for (const { m, at } of mounts) m.unmount(at);
    rmSync(pre, { recursive: true, force: true });
  }
}

/**
 * Issue 16: the same P3 docking with and without the kiosk open in chromium on this machine,
 * alternated (without, with, with, without, ...) `opts.page` pairs; medians of held MB/s and of
 * last docked -> last safe to remove. Target: with the page within 5% of without.
 */
async function pageCost(work, group, cards, rate, opts, print) {
  const missing = browserMissing();
  if (missing) {
    print(`  page: SKIPPED (missing ${missing})`);
    return { missing };
  }
  const runs = { without: [], with: [] };
  for (let pair = 0; pair < opts.page; pair++) {
    for (const withPage of pair % 2 === 0 ? [false, true] : [true, false]) {
      const r = await p3(work, group, cards, rate, opts.spreadMs ?? 10_000, { page: withPage });
      checkHome(r._home, r._expected);
      rmSync(r._home, { recursive: true, force: true });
      if (withPage && !r.tilesDone) throw new Error('the kiosk in chromium did not show every slot done');
      (withPage ? runs.with : runs.without).push(r);
    }
  }
  const med = (list, key) => median(list.map((r) => r[key]));
  const res = {
    recorders: cards.length,
    heldMBps: { without: med(runs.without, 'heldMBps'), with: med(runs.with, 'heldMBps') },
    safeS: { without: med(runs.without, 'lastDockedToSafeS'), with: med(runs.with, 'lastDockedToSafeS') },
    runs: { without: runs.without.map((r) => r.heldMBps), with: runs.with.map((r) => r.heldMBps) },
  };
  res.cost = 1 - res.heldMBps.with / res.heldMBps.without;
  print(`  page: ${cards.length} recorders, ${opts.page} pairs alternated, the kiosk open in chromium (1024x600, this machine) in one of each pair`);
  print(`    without the page  held ${fmt(res.heldMBps.without, 1)} MB/s median (runs ${res.runs.without.map((x) => fmt(x, 1)).join(' ')}), last docked -> safe ${fmt(res.safeS.without, 1)} s`);
  print(`    with the page     held ${fmt(res.heldMBps.with, 1)} MB/s median (runs ${res.runs.with.map((x) => fmt(x, 1)).join(' ')}), last docked -> safe ${fmt(res.safeS.with, 1)} s; every tile showed done`);
  print(`    cost of the page ${fmt(res.cost * 100, 1)}% of held MB/s   target <= 5%   ${res.cost <= 0.05 ? 'ok' : 'MISSED'}`);
  print(`    CPU during the docking: the daemon ${fmt(med(runs.without, 'cpuS'), 1)} s without the page, ${fmt(med(runs.with, 'cpuS'), 1)} s with it; chromium showing the kiosk ${fmt(med(runs.with, 'browserCpuS'), 1)} s`);
  return res;
}

/**
 * The whole bench as data (the CI test runs a tiny one). opts: { only, recorders[], scale,
 * p1Scale, runs, videos, rates[], spreadMs, keepGoing }. Returns { missing } when it cannot run here.
 */
export async function runDockingBench(opts = {}, print = console.log) {
  const missing = throttleMissing();
  if (missing.length) return { missing };
  const only = opts.only;
  const tmp = tempDir('evidock-bench-docking-');
  let group;
  const out = { p1: [], p3: [], storeWriteMBps: undefined };
  try {
    group = makeThrottleGroup();
    const pattern = randomBytes(MiB);
    const cardOpts = (scale) => ({ scale, videos: opts.videos ?? 12, photos: opts.photos ?? 4, audio: opts.audio ?? 2, pattern });
    if (only !== 'p3' && only !== 'page') {
      const card = makeCardImage(tmp.dir, 0, cardOpts(opts.p1Scale ?? 0.5));
      print(`P1 card: ${card.files} files, ${fmt(card.bytes / MiB, 0)} MiB; ${opts.runs ?? 3} runs each, alternating, fresh mount each run`);
      for (const rateMB of opts.rates ?? [40, 200]) {
        const r = await p1(tmp.dir, group, card, rateMB * MB, opts.runs ?? 3);
        out.p1.push(r);
        const line = (name, a) => `    ${name.padEnd(26)} median ${fmt(median(a), 2)} s  ${fmt(card.bytes / MB / median(a))} MB/s  (runs: ${a.map((x) => fmt(x, 2)).join(' ')})`;
        print(`  P1 one recorder at ${rateMB} MB/s:`);
        print(line('cat card > /dev/null', r.cat));
        print(line('evidock ingest (held)', r.ev));
        print(`    ratio evidock / cat ${fmt(r.ratio, 3)}x   target <= 1.05x   ${r.held ? 'every file held and verified' : 'NOT ALL HELD'}`);
        print(`    (evidock medians: first bytes copied at ${fmt(r.firstBytesS, 2)} s; summary printed (all held) at ${fmt(r.summaryS, 2)} s; ${fmt(r.afterEndS, 2)} s from the session's end to the process's exit)`);
      }
      rmSync(card.img, { force: true });
    }
    if (only !== 'p1') {
      const counts = opts.recorders ?? [8, 16, 32];
      const max = Math.max(...counts);
      const scale = opts.scale ?? 0.125;
      const cards = [];
      for (let i = 0; i < max; i++) cards.push(makeCardImage(tmp.dir, i + 1, cardOpts(scale)));
      const storeMBps = storeWriteSpeed(tmp.dir, opts.writeProbeBytes ?? GiB) / MB;
      out.storeWriteMBps = storeMBps;
      const rateMB = opts.p3Rate ?? 40;
      print(`P3 cards: ${cards[0].files} files, ${fmt(cards[0].bytes / MiB, 0)} MiB each (scale ${scale}); store disk writes ${fmt(storeMBps, 0)} MB/s (1 GiB + fdatasync, best of 2)`);
      if (only !== 'page') print('  recorders | held MB/s | bound MB/s (which)      | % of bound (target >= 90% at 32) | CPU s/GiB | peak RSS MiB | longest wait to first bytes (target <= 5 s) | last docked -> last safe | check | against the docking itself');
      for (const n of only === 'page' ? [] : counts) {
        const r = await p3(tmp.dir, group, cards.slice(0, n), rateMB * MB, opts.spreadMs ?? 10_000);
        const src = n * rateMB;
        const bound = Math.min(src, storeMBps);
        r.bound = bound;
        r.boundIs = src <= storeMBps ? `source ${n}x${rateMB}` : 'store disk';
        r.ofBound = r.heldMBps / bound;
        r.ofIdeal = r.idealS / r.seconds;
        Object.assign(r, checkHome(r._home, r._expected));
        rmSync(r._home, { recursive: true, force: true });
        delete r._home;
        out.p3.push(r);
        print(
          `  ${String(n).padStart(9)} | ${fmt(r.heldMBps, 0).padStart(9)} | ${fmt(bound, 0).padStart(5)} (${r.boundIs})`.padEnd(53) +
            ` | ${fmt(r.ofBound * 100, 0).padStart(3)}%${n === max ? (r.ofBound >= 0.9 ? ' ok' : ' MISSED') : ''}`.padEnd(35) +
            ` | ${fmt(r.cpuPerGiB, 2).padStart(9)} | ${fmt(r.peakRssMiB, 0).padStart(12)} | ${fmt(r.longestFirstByteS, 2).padStart(6)} s ${r.longestFirstByteS <= 5 ? 'ok' : 'MISSED'}`.padEnd(46) +
            ` | ${fmt(r.lastDockedToSafeS, 1).padStart(6)} s`.padEnd(27) +
            ` | ${r.held} held, verified | ${fmt(r.ofIdeal * 100, 0)}% of what the docking allows (every card at ${rateMB} MB/s from when it was docked: all safe ${fmt(r.idealS, 1)} s after the first)`,
        );
      }
      if (out.p3.length) print(`  (docked ${fmt(out.p3.at(-1)?.dockSpreadS ?? 0, 1)} s apart first to last; first bytes = the "${out.p3[0]?.firstByteSource}" log line; CPU = the daemon and its helpers (exiftool, ffprobe), not the kernel's loop workers)`);
      if (opts.page) out.page = await pageCost(tmp.dir, group, cards.slice(0, opts.pageRecorders ?? Math.min(...counts)), rateMB * MB, opts, print);
    }
    return out;
  } finally {
    group?.remove();
    tmp.cleanup();
  }
}

export default async function dockingBench(flags) {
  const num = (name, fallback) => Number(flag(flags, name, fallback));
  const recorders = flag(flags, 'recorders', '8,16,32').split(',').map(Number);
  const r = await runDockingBench({
    only: flag(flags, 'only', undefined),
    recorders,
    scale: num('scale', process.env.EVIDOCK_BENCH_SCALE ?? 0.125),
    p1Scale: num('p1-scale', 0.5),
    runs: num('runs', 3),
    videos: num('videos', 12),
    page: num('page', 0),
    pageRecorders: flag(flags, 'page-recorders', undefined) === undefined ? undefined : num('page-recorders', 8),
  });
  if (r.missing) console.log(`docking: SKIPPED (missing ${r.missing.join('; ')})`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`  (load average at the end: ${load}; other processes on this machine share its ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores and disk)`);
}
