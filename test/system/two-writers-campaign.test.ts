// Two-writers campaign (issue 11 point 14): a real daemon copying a slow card (a FUSE mount under
// its media root, faultyfs --delay-ms) while `evidock ingest` is run on the same home again and
// again: each is refused (exit 2, naming the daemon's pid) and the daemon's staging entry and
// session are untouched; two daemons started together: exactly one runs; the daemon SIGKILLed
// mid-copy: the next start is not blocked and holds the card. 0 lost, 0 duplicated, 0 torn.
// Skips LOUDLY without root/FUSE.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, DaemonProcess, heldOriginals, repoRoot, runCli, tempDir } from '../helpers/evidock.js';
import { recordCampaignRow } from './harness/campaign.js';
import { fuseMissing, mountFuse, warnSkipped, type FuseMount } from './harness/fuse.js';

const missing = fuseMissing();
warnSkipped('test/system/two-writers-campaign.test.ts', missing);
const FULL = process.env.EVIDOCK_CAMPAIGN_FULL === '1';
const INGESTS = FULL ? 20 : 4;
const DOUBLE_STARTS = FULL ? 10 : 2;
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function until<T>(what: string, get: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function cliAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe.skipIf(missing.length > 0)('two-writers campaign: a daemon and `evidock ingest`, two daemons, a SIGKILLed holder (FUSE, root)', () => {
  const tmp = tempDir('evidock-two-writers-');
  const mounts: FuseMount[] = [];
  const daemons: DaemonProcess[] = [];
  afterAll(() => {
    for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    for (const m of mounts) m.unmount();
    tmp.cleanup();
  });

  it('one writer at a time, always', async () => {
    const home = path.join(tmp.dir, 'home');
    const media = path.join(tmp.dir, 'media');
    mkdirSync(home, { recursive: true });
    const config = `[docks]\nmount = "external"\nmedia_root = "${media}"\npoll_ms = 250\n[meta]\nread_metadata = false\n`;
    writeFileSync(path.join(home, 'evidock.toml'), config);
    // A slow card: 4 files of 2 MiB, each read slowed (128 KiB per 40 ms, about 3 MiB/s).
    const backing = path.join(tmp.dir, 'card');
    const shas: string[] = [];
    for (let i = 0; i < 4; i++) {
      const data = randomBytes(2 * MiB + i);
      mkdirSync(path.join(backing, 'DCIM'), { recursive: true });
      writeFileSync(path.join(backing, 'DCIM', `V${i}.MP4`), data);
      shas.push(sha256(data));
    }
    const otherCard = path.join(tmp.dir, 'other-card');
    mkdirSync(path.join(otherCard, 'DCIM'), { recursive: true });
    writeFileSync(path.join(otherCard, 'DCIM', 'X.MP4'), randomBytes(100_000));

    let daemon = new DaemonProcess(['--home', home]);
    daemons.push(daemon);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);
    mkdirSync(path.join(media, 'SLOW'), { recursive: true });
    mounts.push(await mountFuse('faultyfs.py', backing, path.join(media, 'SLOW'), ['--delay-ms', '40']));
    const staging = path.join(home, 'staging');
    await until('the daemon copying into staging', () => existsSync(staging) && readdirSync(staging).length > 0, 60_000);

    // `evidock ingest` on the same home while the daemon copies: refused, the daemon's work untouched.
    const failures: string[] = [];
    let refused = 0;
    for (let i = 0; i < INGESTS; i++) {
      const r = await cliAsync(['--home', home, 'ingest', otherCard, '--json']);
      if (r.code === 2 && r.stderr.includes(`the evidock daemon (pid ${daemon.child.pid}) runs on`)) refused++;
      else failures.push(`ingest ${i}: exit ${r.code}: ${r.stderr.slice(-300)}`);
    }
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const interrupted = db.prepare("SELECT COUNT(*) FROM sessions WHERE status = 'interrupted'").pluck().get() as number;
    db.close();
    expect(interrupted, "no session of the daemon's was marked interrupted").toBe(0);

    // SIGKILL the daemon mid-copy (second card docked and slow): the next start is not blocked.
    const slowStatus = () => JSON.parse(readFileSync(path.join(home, 'run', 'daemon-status.json'), 'utf8')).slots.find((s: { slot: string }) => s.slot === 'SLOW');
    await until('SLOW held', () => slowStatus()?.state === 'done', 120_000);
    mounts[0].unmount();
    mounts.shift();
    const backing2 = path.join(tmp.dir, 'card2');
    for (let i = 0; i < 3; i++) {
      const data = randomBytes(2 * MiB + 100 + i);
      mkdirSync(path.join(backing2, 'DCIM'), { recursive: true });
      writeFileSync(path.join(backing2, 'DCIM', `W${i}.MP4`), data);
      shas.push(sha256(data));
    }
    mkdirSync(path.join(media, 'SLOW2'), { recursive: true });
    mounts.push(await mountFuse('faultyfs.py', backing2, path.join(media, 'SLOW2'), ['--delay-ms', '40']));
    await until('the daemon copying SLOW2', () => readdirSync(staging).length > 0, 60_000);
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    daemon = new DaemonProcess(['--home', home]);
    daemons.push(daemon);
    await daemon.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);
    await daemon.waitFor((l) => l.msg === 'session ended', 120_000);
    expect(await daemon.stop()).toBe(0);

    // Two daemons started together on a fresh home: exactly one runs, the other exits 2.
    let single = 0;
    for (let i = 0; i < DOUBLE_STARTS; i++) {
      const h = path.join(tmp.dir, `pair-${i}`);
      mkdirSync(h);
      writeFileSync(path.join(h, 'evidock.toml'), '[docks]\nmount = "off"\n');
      runCli(['--home', h, 'init']);
      const pair = [new DaemonProcess(['--home', h]), new DaemonProcess(['--home', h])];
      daemons.push(...pair);
      const first = await Promise.race(pair.map((d, k) => d.exited.then(() => k)));
      const loser = pair[first];
      const winner = pair[1 - first];
      await winner.waitFor((l) => l.msg === 'evidock daemon ready', 60_000);
      if (loser.child.exitCode === 2 && loser.stderr.includes(`another evidock daemon (pid ${winner.child.pid}) already runs`)) single++;
      else failures.push(`double start ${i}: exit ${loser.child.exitCode}: ${loser.stderr.slice(-300)}`);
      expect(await winner.stop()).toBe(0);
    }

    const held = heldOriginals(home);
    const heldShas = held.map((o) => o.sha256);
    const lost = shas.filter((d) => !heldShas.includes(d)).length;
    const duplicated = held.length - new Set(heldShas).size;
    const torn = held.filter((o) => !shas.includes(o.sha256)).length;
    expect(runCli(['--home', home, 'verify']).code).toBe(0);
    expect(readdirSync(staging)).toEqual([]);
    recordCampaignRow({
      campaign: `two writers (\`ingest\` during a daemon's copy ×${INGESTS}, two daemons at once ×${DOUBLE_STARTS}, holder SIGKILLed ×1)`,
      runs: INGESTS + DOUBLE_STARTS + 1,
      faults: refused + single + 1,
      lost,
      duplicated,
      torn,
    });
    expect(failures).toEqual([]);
    expect({ refused, single, lost, duplicated, torn }).toEqual({ refused: INGESTS, single: DOUBLE_STARTS, lost: 0, duplicated: 0, torn: 0 });
  }, 600_000);
});
