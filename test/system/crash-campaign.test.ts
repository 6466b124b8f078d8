// Crash and clean-stop campaigns: a 3-recorder ingest (three cards on one FUSE mount, ingested one
// after the other by the real CLI) is SIGKILLed (crash) or SIGTERMed (clean stop) at points chosen
// by the bytes the card has served (test/system/harness/faultyfs.py --kill-at), then ingested
// again. Each run must end with every file held exactly once, byte for byte: 0 lost, 0 duplicated,
// 0 torn, staging empty, verify clean; a clean stop also leaves staging empty at once.
// Short version (3 points each) in every test run; EVIDOCK_CAMPAIGN_FULL=1 (npm run campaign --
// --full) runs 30 points each; EVIDOCK_CAMPAIGN_POINTS=N sets the number. Skips LOUDLY without FUSE.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, heldOriginals, repoRoot, runCli, tempDir } from '../helpers/evidock.js';
import { recordCampaignRow } from './harness/campaign.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/crash-campaign.test.ts', missing);
// About 20-40 s a point on a loaded two-core machine: 3 points in every test run, 30 with --full.
const POINTS = Number(process.env.EVIDOCK_CAMPAIGN_POINTS ?? (process.env.EVIDOCK_CAMPAIGN_FULL === '1' ? 30 : 3));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const KiB = 1024;
const CARDS = ['REC-A', 'REC-B', 'REC-C'];

/** Run the CLI as a child whose pid is written to pidFile at once (the kill target); its exit. */
function ingestAsChild(args: string[], pidFile: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot });
  writeFileSync(pidFile, String(child.pid));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** The session status in `ingest --json` output, if it printed one. */
function statusOf(stdout: string): string | undefined {
  try {
    return (JSON.parse(stdout) as { status?: string }).status;
  } catch {
    return undefined;
  }
}

const KINDS = [
  { name: 'crash', signal: 'SIGKILL' as const, ctl: '' },
  { name: 'clean stop', signal: 'SIGTERM' as const, ctl: ' TERM' },
];

describe.skipIf(missing.length > 0).each(KINDS)(`$name campaign: $signal at ${POINTS} byte-count points of a 3-recorder ingest`, (kind) => {
  const tmp = tempDir('evidock-crash-');
  let mount: FuseMount | undefined;
  afterAll(() => {
    mount?.unmount();
    tmp.cleanup();
  });

  it('0 lost, 0 duplicated, 0 torn at every kill point', async () => {
    // Three cards of five files each: sizes around the 8 MiB copy buffer and small ones.
    const backing = path.join(tmp.dir, 'cards');
    const files: { card: string; sha: string; size: number }[] = [];
    const sizes = [9 * 1024 * KiB, 700 * KiB, 3 * 1024 * KiB, 1, 1500 * KiB];
    CARDS.forEach((card, c) => {
      mkdirSync(path.join(backing, card, 'DCIM'), { recursive: true });
      sizes.forEach((size, i) => {
        const data = randomBytes(size + c);
        writeFileSync(path.join(backing, card, 'DCIM', `${card}_${i}.MP4`), data);
        files.push({ card, sha: sha256(data), size: data.length });
      });
    });
    const total = files.reduce((s, f) => s + f.size, 0);
    const mnt = path.join(tmp.dir, 'mnt');
    mkdirSync(mnt);
    const pidFile = path.join(tmp.dir, 'ingest.pid');
    mount = await mountFuse('faultyfs.py', backing, mnt, ['--kill-pidfile', pidFile]);
    const config = path.join(tmp.dir, 'evidock.toml');
    writeFileSync(config, '[meta]\nread_metadata = false\n'); // the copy and commit paths are under test, not the metadata helpers

    const tally = { runs: 0, killed: 0, lost: 0, duplicated: 0, torn: 0 };
    const failures: string[] = [];
    for (let k = 0; k < POINTS; k++) {
      const killAt = Math.floor((total * (k + 0.5)) / POINTS);
      const home = path.join(tmp.dir, `home-${k}`);
      const init = runCli(['--home', home, '--config', config, 'init']);
      if (init.code !== 0) failures.push(`point ${k}: init exited ${init.code}: ${init.stderr}`);
      const cli = (card: string) => ['--home', home, '--config', config, 'ingest', path.join(mnt, card), '--recorder', card, '--json'];
      writeFileSync(path.join(tmp.dir, 'faultyfs.kill'), `${killAt}${kind.ctl}`); // armed: served bytes count from 0
      let killedAt = -1;
      for (let c = 0; c < CARDS.length && killedAt < 0; c++) {
        const r = await ingestAsChild(cli(CARDS[c]), pidFile);
        // A clean stop ends the session "interrupted" (exit 1) with what was committed held.
        const stopped = kind.signal === 'SIGKILL' ? r.signal === 'SIGKILL' : r.code === 1 && statusOf(r.stdout) === 'interrupted';
        if (stopped) killedAt = c;
        else if (r.code !== 0) failures.push(`point ${k}: ${CARDS[c]} exited ${r.code ?? r.signal}: ${r.stderr.slice(-500)}`);
        if (stopped && kind.signal === 'SIGTERM') {
          const left = existsSync(path.join(home, 'staging')) ? readdirSync(path.join(home, 'staging')) : [];
          if (left.length) failures.push(`point ${k}: a clean stop left ${left.length} staging entries`);
        }
      }
      tally.runs++;
      if (killedAt >= 0) tally.killed++;
      else failures.push(`point ${k}: the kill at byte ${killAt} of ${total} never came`);
      // Docked again: the killed card and the ones after it (recovery at start runs first).
      for (let c = Math.max(0, killedAt); c < CARDS.length; c++) {
        const r = await ingestAsChild(cli(CARDS[c]), path.join(tmp.dir, 'not-killed.pid'));
        if (r.code !== 0) failures.push(`point ${k}: ${CARDS[c]} again exited ${r.code}: ${r.stderr.slice(-500)}`);
      }
      const held = existsSync(path.join(home, 'catalog.sqlite')) ? heldOriginals(home) : [];
      const heldShas = held.map((o) => o.sha256);
      const lost = files.filter((f) => !heldShas.includes(f.sha)).length;
      const duplicated = held.length - new Set(heldShas).size;
      const torn = held.filter((o) => !files.some((f) => f.sha === o.sha256 && f.size === o.size)).length;
      const verify = runCli(['--home', home, '--config', config, 'verify']);
      const staging = path.join(home, 'staging');
      const leftInStaging = existsSync(staging) ? readdirSync(staging).length : 0;
      if (verify.code !== 0) failures.push(`point ${k}: verify exited ${verify.code}: ${verify.stdout.slice(-500)}`);
      if (leftInStaging) failures.push(`point ${k}: ${leftInStaging} entries left in staging`);
      tally.lost += lost;
      tally.duplicated += duplicated;
      tally.torn += torn + (verify.code === 0 ? 0 : 1);
      if (lost || duplicated || torn) failures.push(`point ${k} (byte ${killAt}): lost ${lost}, duplicated ${duplicated}, torn ${torn}`);
    }
    recordCampaignRow({
      campaign: `${kind.name} (${kind.signal} by bytes served, 3 recorders, ${files.length} files, ${(total / 1024 / 1024).toFixed(1)} MiB)`,
      runs: tally.runs,
      faults: tally.killed,
      lost: tally.lost,
      duplicated: tally.duplicated,
      torn: tally.torn,
    });
    expect(failures).toEqual([]);
    expect(tally).toEqual({ runs: POINTS, killed: POINTS, lost: 0, duplicated: 0, torn: 0 });
  }, POINTS * 180_000);
});
