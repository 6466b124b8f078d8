// Issue 12, point 8: small things a first demo trips on: --version, global options in every
// subcommand's --help, device files told from recordings in list and show, the missing-calendar
// warning once a day, the sample recorder's dates explained, readable daemon logs on a terminal.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, fixturesDir, initHome, repoRoot, runCli, tempDir } from './helpers/evidock.js';

describe('a first demo', () => {
  const tmp = tempDir('evidock-first-demo-');
  const home = path.join(tmp.dir, 'home');
  beforeAll(() => {
    initHome(home);
    for (const rec of ['7654321', 'A9K3F20']) {
      const r = runCli(['--home', home, 'ingest', path.join(fixturesDir, rec)]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => tmp.cleanup());

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it("a subcommand's --help lists the global --home and --config", () => {
    for (const args of [['status', '--help'], ['log', 'export', '--help'], ['verify', '--help']]) {
      const r = runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Global Options:[\s\S]*--home <dir>[\s\S]*--config <file>/);
    }
  });

  it('list and show tell device files (ZFY_INFO.TXT, DEVICE.LOG) from recordings', () => {
    const listed = JSON.parse(runCli(['--home', home, 'list', '--json']).stdout) as { fileName: string; recording: boolean; evidenceNumber: string }[];
    const byName = new Map(listed.map((l) => [l.fileName, l]));
    expect(byName.get('ZFY_INFO.TXT')?.recording).toBe(false);
    expect(byName.get('DEVICE.LOG')?.recording).toBe(false);
    expect(byName.get('2026_0316_140000_001.MP4')?.recording).toBe(true);
    expect(byName.get('2026_0316_141000_003.MP4')?.recording).toBe(true); // a cut-off clip is still a recording
    const table = runCli(['--home', home, 'list']).stdout;
    expect(table).toMatch(/device file\s+ZFY_INFO\.TXT/);
    expect(table).toMatch(/device file\s+MISC\/DEVICE\.LOG/);
    const shown = runCli(['--home', home, 'show', byName.get('DEVICE.LOG')!.evidenceNumber]);
    expect(shown.stdout).toMatch(/^kind\s+device file, not a recording/m);
    expect(JSON.parse(runCli(['--home', home, 'show', byName.get('DEVICE.LOG')!.evidenceNumber, '--json']).stdout).recording).toBe(false);
    expect(runCli(['--home', home, 'show', byName.get('2026_0316_140000_001.MP4')!.evidenceNumber]).stdout).not.toMatch(/device file/);
  });

  it("the missing-calendar warning is printed once a day, not by every command", () => {
    const fresh = path.join(tmp.dir, 'calendar-home');
    initHome(fresh);
    const warning = JSON.parse(runCli(['--home', fresh, 'status', '--json']).stdout).calendar.warning as string | null;
    const first = runCli(['--home', fresh, 'status']).stdout;
    const again = [runCli(['--home', fresh, 'status']).stdout, runCli(['--home', fresh, 'calendar', 'show', '2026']).stdout];
    if (warning) expect(first).toContain(`warning: ${warning}`);
    for (const out of again) expect(out).not.toMatch(/warning: calendar: no public-holiday schedule/);
    expect(JSON.parse(runCli(['--home', fresh, 'status', '--json']).stdout).calendar.warning).toBe(warning); // still in the data
  });

  it('dock:sample says when the sample recordings were made, and that they will be flagged late', () => {
    const sampleHome = path.join(tmp.dir, 'sample-home');
    initHome(sampleHome);
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'dock-sample.js'), '--home', sampleHome], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/made on 2026-03-15/);
    expect(r.stdout).toMatch(/flagged late/);
    expect(r.stdout).not.toMatch(/npx/);
  });

  it('the daemon logs readable lines on a terminal (tmux) and JSON lines otherwise', async () => {
    const ttyHome = path.join(tmp.dir, 'tty-home');
    const session = `evidock-${process.pid}`;
    const cmd = `env -u CI "${process.execPath}" "${binPath}" --home "${ttyHome}" daemon; sleep 30`;
    expect(spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '220', '-y', '50', cmd]).status).toBe(0);
    try {
      let pane = '';
      const until = Date.now() + 60_000;
      while (!pane.includes('evidock daemon ready') && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        pane = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
      }
      expect(pane).toMatch(/INFO.*evidock daemon ready/);
      expect(pane).not.toMatch(/^\{"level"/m);
    } finally {
      spawnSync('tmux', ['send-keys', '-t', session, 'C-c']);
      await new Promise((r) => setTimeout(r, 1500));
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
    // Not a terminal (a pipe, as under systemd): JSON, one line per event, even without CI set.
    const env = { ...process.env };
    delete env.CI;
    const child = spawn(process.execPath, [binPath, '--home', path.join(tmp.dir, 'json-home'), 'daemon'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    const exited = new Promise((r) => child.on('exit', r));
    const until = Date.now() + 60_000;
    while (!out.includes('evidock daemon ready') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    await exited;
    const lines = out.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
  });
});
