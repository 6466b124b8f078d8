// Issue 12, point 9: ingest, verify, log export and catalog rebuild show a progress bar with
// rate and ETA on a terminal (a real pty through `script`), and nothing extra when their output
// is piped or with --json.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, fixturesDir, initHome, repoRoot, runCli, tempDir } from './helpers/evidock.js';

/** Runs evidock on a pseudo-terminal (util-linux `script`); returns what the terminal showed. */
function onTerminal(args: string[]): { code: number | null; screen: string } {
  const cmd = [process.execPath, binPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, COLUMNS: '160' } });
  return { code: r.status, screen: r.stdout };
}

const BAR = /\[[█░]+\] \d+% \| .+ of .+ \| .+\/s \| ETA /;

describe('progress bars', () => {
  const tmp = tempDir('evidock-progress-');
  const home = path.join(tmp.dir, 'home');
  beforeAll(() => initHome(home));
  afterAll(() => tmp.cleanup());

  it('ingest: a bar with rate and ETA on a terminal; none when piped or with --json', () => {
    const tty = onTerminal(['--home', home, 'ingest', path.join(fixturesDir, '1234567')]);
    expect(tty.code, tty.screen).toBe(0);
    expect(tty.screen).toMatch(/ingest/);
    expect(tty.screen).toMatch(BAR);
    const piped = runCli(['--home', home, 'ingest', path.join(fixturesDir, '7654321')]);
    expect(piped.code).toBe(0);
    expect(piped.stderr + piped.stdout).not.toMatch(/ETA/);
    const json = onTerminal(['--home', home, 'ingest', path.join(fixturesDir, 'A9K3F20'), '--json']);
    expect(json.screen).not.toMatch(/ETA/);
  });

  it('verify: a bar on a terminal; none when piped or with --json', () => {
    const tty = onTerminal(['--home', home, 'verify']);
    expect(tty.code, tty.screen).toBe(0);
    expect(tty.screen).toMatch(BAR);
    expect(tty.screen).toMatch(/all intact/);
    const piped = runCli(['--home', home, 'verify']);
    expect(piped.stderr + piped.stdout).not.toMatch(/ETA/);
    expect(onTerminal(['--home', home, 'verify', '--json']).screen).not.toMatch(/ETA/);
  });

  it('log export: a bar on a terminal for a directory export and a file; none with --json or when piped', () => {
    const dir = onTerminal(['--home', home, 'log', 'export', '--out', path.join(tmp.dir, 'export-1')]);
    expect(dir.code, dir.screen).toBe(0);
    expect(dir.screen).toMatch(BAR);
    const file = onTerminal(['--home', home, 'log', 'export', '--format', 'jsonl', '--out', path.join(tmp.dir, 'entries.jsonl')]);
    expect(file.screen).toMatch(BAR);
    expect(onTerminal(['--home', home, 'log', 'export', '--out', path.join(tmp.dir, 'export-2'), '--json']).screen).not.toMatch(/ETA/);
    const piped = runCli(['--home', home, 'log', 'export', '--format', 'jsonl']);
    expect(piped.stderr).not.toMatch(/ETA/);
  });

  it('catalog rebuild: a bar on a terminal; none with --json', () => {
    const tty = onTerminal(['--home', home, 'catalog', 'rebuild', '--into', path.join(tmp.dir, 'rebuilt-1.sqlite')]);
    expect(tty.screen).toMatch(BAR);
    expect(onTerminal(['--home', home, 'catalog', 'rebuild', '--into', path.join(tmp.dir, 'rebuilt-2.sqlite'), '--json']).screen).not.toMatch(/ETA/);
  });
});
