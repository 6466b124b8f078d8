// Issue 2 (P2 of issue 17): ingest of one 1 GiB file against `cp FILE DEST && sync` and
// `cp FILE DEST && sha256sum DEST`, interleaved, medians and spread; warm page cache (cold only
// with --drop-caches: it changes the whole machine); peak RSS at 1 GiB and (with
// --big) 4 GiB to show it does not grow with file size.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { dropCaches, fmt, makeFile, MiB, repoRoot, tempDir, timeShell } from './lib.js';

// Each contender runs RUNS times; the order rotates every run so that each follows each other
// equally often. This VM returns freed memory to its host (virtio-balloon free page reporting):
// writing 1 GiB into the page cache takes 0.25 s right after a file was deleted but 2.7 s a few
// seconds later, when the freed pages must be faulted in again by the host. Whoever always ran
// after the 3 s `sha256sum` paid that; rotating spreads it evenly.
const RUNS = 6;

function ingestOnce(card, home) {
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'bench', 'ingest-child.js'), card, home], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

export default async function ingestBench(flags) {
  const sizes = flags.includes('--big') ? [1024, 4096] : [1024];
  const tmp = tempDir();
  try {
    for (const sizeMiB of sizes) {
      const card = path.join(tmp.dir, `card-${sizeMiB}`);
      mkdirSync(card);
      const file = path.join(card, 'CLIP0001.MP4');
      makeFile(file, sizeMiB * MiB);
      const dest = path.join(tmp.dir, 'dest');
      const home = path.join(tmp.dir, 'home');
      const modes = [['warm', false]];
      if (dropCaches(flags)) modes.push(['cold', true]);
      else console.log('(cold cache runs skipped: they drop the whole machine\'s page cache; pass --drop-caches, as root, on a machine of your own)');
      for (const [mode, cold] of modes) {
        const prep = () => {
          rmSync(dest, { force: true });
          rmSync(home, { recursive: true, force: true });
          execFileSync('sync');
          if (cold) dropCaches(flags);
          else execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 0 });
        };
        const t = { cpSync: [], cpSha: [], ev: [] };
        let rss = 0;
        const contenders = [
          () => {
            const ev = ingestOnce(card, home);
            t.ev.push(ev.seconds);
            if (flags.includes('--phases')) console.log('    evidock phases (ms from start):', JSON.stringify(ev.phasesStartMs));
            rss = Math.max(rss, ev.maxRssKiB);
          },
          () => t.cpSync.push(timeShell(`cp '${file}' '${dest}' && sync`)),
          () => t.cpSha.push(timeShell(`cp '${file}' '${dest}' && sha256sum '${dest}' >/dev/null`)),
        ];
        for (let r = 0; r < RUNS; r++) {
          for (let k = 0; k < contenders.length; k++) {
            prep();
            contenders[(r + k) % contenders.length]();
          }
        }
        const med = (a) => {
          const x = [...a].sort((p, q) => p - q);
          return (x[(x.length - 1) >> 1] + x[x.length >> 1]) / 2;
        };
        const spread = (a) => `spread ${fmt(Math.min(...a), 2)}-${fmt(Math.max(...a), 2)} s`;
        const line = (name, a) => `  ${name.padEnd(24)} median ${fmt(med(a), 2)} s  ${fmt(sizeMiB / med(a))} MiB/s  ${spread(a)}   (runs in order: ${a.map((x) => fmt(x, 2)).join(' ')})`;
        console.log(`${sizeMiB} MiB, ${mode} cache, ${RUNS} runs each, order rotated:`);
        console.log(line('cp && sync', t.cpSync));
        console.log(line('cp && sha256sum', t.cpSha));
        console.log(line('evidock ingest', t.ev) + `  peak RSS ${fmt(rss / 1024)} MiB`);
        console.log(`  ratio vs cp && sha256sum ${fmt(med(t.cpSha) / med(t.ev), 2)}x (target >= 2)`);
        console.log(`  ratio vs cp && sync      ${fmt(med(t.cpSync) / med(t.ev), 2)}x (target >= 0.5)`);
      }
      rmSync(card, { recursive: true, force: true });
    }
  } finally {
    tmp.cleanup();
  }
}
