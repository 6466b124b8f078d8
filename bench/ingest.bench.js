// Issue 2: ingest of one 1 GiB file against `cp FILE DEST && sync` and
// `cp FILE DEST && sha256sum DEST`, warm and cold page cache; peak RSS at 1 GiB and (with
// --big) 4 GiB to show it does not grow with file size.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { dropCaches, fmt, makeFile, MiB, repoRoot, tempDir, timeShell } from './lib.js';

function ingestOnce(card, home) {
  rmSync(home, { recursive: true, force: true });
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
      if (dropCaches()) modes.push(['cold', true]);
      else console.log('(cold cache runs skipped: cannot write /proc/sys/vm/drop_caches; run as root)');
      for (const [mode, cold] of modes) {
        const prep = () => {
          rmSync(dest, { force: true });
          if (cold) dropCaches();
          else execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 0 });
        };
        prep();
        const cpSync_ = timeShell(`cp '${file}' '${dest}' && sync`);
        prep();
        const cpSha = timeShell(`cp '${file}' '${dest}' && sha256sum '${dest}' >/dev/null`);
        rmSync(dest, { force: true });
        prep();
        const ev = ingestOnce(card, home);
        const mibs = (s) => sizeMiB / s;
        console.log(`${sizeMiB} MiB, ${mode} cache:`);
        console.log(`  cp && sync               ${fmt(cpSync_, 2)} s  ${fmt(mibs(cpSync_))} MiB/s`);
        console.log(`  cp && sha256sum          ${fmt(cpSha, 2)} s  ${fmt(mibs(cpSha))} MiB/s`);
        console.log(`  evidock ingest           ${fmt(ev.seconds, 2)} s  ${fmt(mibs(ev.seconds))} MiB/s  (copy+hash, fdatasync, re-read+verify, commit)  peak RSS ${fmt(ev.maxRssKiB / 1024)} MiB`);
        console.log(`  ratio vs cp && sha256sum ${fmt(cpSha / ev.seconds, 2)}x (target >= 2)`);
        console.log(`  ratio vs cp && sync      ${fmt(cpSync_ / ev.seconds, 2)}x (target >= 0.5)`);
      }
      rmSync(card, { recursive: true, force: true });
    }
  } finally {
    tmp.cleanup();
  }
}
