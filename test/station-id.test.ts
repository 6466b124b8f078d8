// Issue 12, point 3: the station id is chosen at init (--station, or asked on a terminal; with
// neither, the configured id and a word about it), and a station id that no longer matches the
// station key stops the daemon (exit 2) and `log export` with an error naming both ids.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, tempDir } from './helpers/evidock.js';

describe('the station id', () => {
  const tmp = tempDir('evidock-station-id-');
  afterAll(() => tmp.cleanup());

  it('init --station writes it to <home>/evidock.toml and names the key after it', () => {
    const home = path.join(tmp.dir, 'named');
    const r = runCli(['--home', home, 'init', '--station', 'PS-0451']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/station PS-0451 \(--station\), written to .*evidock\.toml/);
    expect(readFileSync(path.join(home, 'evidock.toml'), 'utf8')).toMatch(/\[station\]\nid = "PS-0451"/);
    expect(runCli(['--home', home, 'key', 'show']).stdout).toMatch(/^PS-0451\+/);
    expect(runCli(['--home', home, 'init', '--station', 'bad id']).code).toBe(2);
  });

  it('with no terminal and no --station, init keeps the configured id and says so', () => {
    const home = path.join(tmp.dir, 'default');
    const r = runCli(['--home', home, 'init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/station STATION \(the default; no terminal to ask on and no --station\): to name this station, run `evidock init --station ID` before the first start/);
    expect(existsSync(path.join(home, 'evidock.toml'))).toBe(false);
  });

  it('on a terminal, init asks for it', () => {
    const home = path.join(tmp.dir, 'asked');
    // `script` gives init a real terminal; the answer is typed into it.
    const cmd = `"${process.execPath}" "${binPath}" --home "${home}" init`;
    const r = spawnSync('bash', ['-c', `(sleep 3; printf 'KIOSK-7\\r'; sleep 5) | script -qefc '${cmd}' /dev/null`], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/Station id .*\[STATION\]/);
    expect(r.stdout).toMatch(/station KIOSK-7 \(typed\)/);
    expect(readFileSync(path.join(home, 'evidock.toml'), 'utf8')).toMatch(/id = "KIOSK-7"/);
  });

  it('changed after the key was made: the daemon refuses to start and log export stops, naming both ids (exit 2)', () => {
    const home = path.join(tmp.dir, 'changed');
    expect(runCli(['--home', home, 'init', '--station', 'OLD-1']).code).toBe(0);
    writeFileSync(path.join(home, 'evidock.toml'), '[station]\nid = "NEW-2"\n');
    const d = runCli(['--home', home, 'daemon']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/station\.id is "NEW-2" but the station key .* belongs to station "OLD-1"/);
    expect(existsSync(path.join(home, 'run', 'daemon.pid'))).toBe(false);
    for (const args of [['log', 'export', '--format', 'jsonl'], ['log', 'export', '--out', path.join(tmp.dir, 'export')], ['log', 'checkpoint']]) {
      const r = runCli(['--home', home, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/"NEW-2".*"OLD-1"/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
