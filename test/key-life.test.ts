// The station key's life on a real home: made once (logged), never made again on its own; a
// missing key is an error naming what to do; `key show` prints the key that signs; catalog
// check never skips signatures silently.
import { existsSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigner, formatVerifierKey, verifierOf } from '../src/audit/note.js';
import { readyHome, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-key-life-');
afterAll(() => tmp.cleanup());

describe('station key life cycle', () => {
  it('a deleted station.key is never re-made: signing fails naming what to do; key show and catalog check use station.pub', () => {
    const home = readyHome(path.join(tmp.dir, 'lost'), ['7654321']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const pub = readFileSync(path.join(home, 'keys', 'station.pub'), 'utf8').trim();
    rmSync(path.join(home, 'keys', 'station.key'));
    const cp = runCli(['--home', home, 'log', 'checkpoint']);
    expect(cp.code).toBe(2);
    expect(cp.stderr).toMatch(/no station key at .*station\.key\. .*never made again on its own.*Restore keys\/station\.key/);
    const exp = runCli(['--home', home, 'log', 'export', '--out', path.join(tmp.dir, 'lost-export')]);
    expect(exp.code).toBe(2);
    expect(existsSync(path.join(home, 'keys', 'station.key'))).toBe(false);
    const init = runCli(['--home', home, 'init']);
    expect(init.code).toBe(2);
    expect(existsSync(path.join(home, 'keys', 'station.key'))).toBe(false);
    const show = runCli(['--home', home, 'key', 'show', '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ publicKey: pub, from: path.join(home, 'keys', 'station.pub'), problems: [] });
    const check = runCli(['--home', home, 'catalog', 'check', '--json']);
    expect(JSON.parse(check.stdout).keyProblems).toEqual([]);
    expect(check.code).toBe(0);
  });

  it('station.pub replaced: key show prints the key that signs and says station.pub is not it; catalog check reports it', () => {
    const home = readyHome(path.join(tmp.dir, 'pub'), ['7654321']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const real = runCli(['--home', home, 'key', 'show']).stdout.trim();
    const other = formatVerifierKey(verifierOf(generateSigner(real.split('+')[0])));
    const file = path.join(home, 'keys', 'station.pub');
    chmodSync(file, 0o644);
    writeFileSync(file, other + '\n');
    const show = runCli(['--home', home, 'key', 'show']);
    expect(show.code).toBe(1);
    expect(show.stdout.trim()).toBe(real);
    expect(show.stderr).toMatch(/station\.pub is not the public half of .*station\.key: it was replaced/);
    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^key {7}.*station\.pub is not the public half/m);
  });

  it('both keys gone: catalog check says signatures were not checked (exit 1), never silently', () => {
    const home = readyHome(path.join(tmp.dir, 'none'), ['7654321']);
    rmSync(path.join(home, 'keys', 'station.key'));
    rmSync(path.join(home, 'keys', 'station.pub'));
    const check = runCli(['--home', home, 'catalog', 'check', '--json']);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).keyProblems).toEqual([expect.stringMatching(/^signed checkpoints not checked: no station key to check signatures with/)]);
    const show = runCli(['--home', home, 'key', 'show']);
    expect(show.code).toBe(2);
  });
});
