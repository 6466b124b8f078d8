// Issue 12, point 1: only `init` and `daemon` create a home. Every other command on a folder that
// is not an evidock home exits 2 naming the folder and how to create one, and creates nothing;
// an empty store is "nothing held yet", never "all intact".
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesDir, initHome, runCli, tempDir } from './helpers/evidock.js';

describe('a folder that is not an evidock home', () => {
  const tmp = tempDir('evidock-home-required-');
  afterAll(() => tmp.cleanup());

  const commands: string[][] = [['status'], ['list'], ['verify'], ['show', 'STATION-20260101-000001'], ['docks'], ['key', 'show'], ['catalog', 'rebuild', '--into', path.join(tmp.dir, 'rebuilt.sqlite')], ['log', 'export', '--format', 'jsonl'], ['officers', 'list'], ['ingest', path.join(fixturesDir, '1234567')], ['calendar', 'show', '2026']];

  it.each(commands)('a mistyped --home: %s exits 2 naming the path and `evidock init`, and creates nothing', (...args) => {
    const typo = path.join(tmp.dir, 'hoem');
    const r = runCli(['--home', typo, ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(typo);
    expect(r.stderr).toContain('not an evidock home');
    expect(r.stderr).toContain(`evidock init --home ${typo}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).not.toMatch(/intact/);
    expect(existsSync(typo)).toBe(false);
  });

  it('an existing empty folder is left empty (verify does not report it intact)', () => {
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    for (const args of [['verify'], ['status'], ['list']]) {
      const r = runCli(['--home', empty, ...args]);
      expect(r.code, `${args}: ${r.stderr}`).toBe(2);
      expect(r.stdout).not.toMatch(/intact/);
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('init creates the home; then an empty store is "nothing held yet", never "all intact"', () => {
    const home = path.join(tmp.dir, 'home');
    initHome(home);
    expect(existsSync(path.join(home, 'keys', 'station.key'))).toBe(true);
    const r = runCli(['--home', home, 'verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing held yet/);
    expect(r.stdout).not.toMatch(/intact/);
    expect(runCli(['--home', home, 'status']).code).toBe(0);
  });
});
