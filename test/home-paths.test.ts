// home.ts: a configuration whose paths overlap, or whose store is not a store, is refused with
// exit 2 naming the keys and paths, before anything is touched (issue 11 point 1: staging =
// "store" used to delete every original at the start of the next ingest).
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';
import { resolveHome } from '../src/home.js';
import { copyFixtureRecorder, runCli, tempDir, initHome } from './helpers/evidock.js';

/** Every file below dir, as paths relative to it. */
function filesBelow(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('a dangerous configuration is refused (real CLI)', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'H');
  const card = path.join(tmp.dir, 'card');
  let heldBefore: string[];

  beforeAll(() => {
    copyFixtureRecorder('1234567', card);
    initHome(home);
    const first = runCli(['--home', home, 'ingest', card, '--json']);
    expect(first.code, first.stderr).toBe(0);
    heldBefore = filesBelow(path.join(home, 'store'));
    expect(heldBefore.some((f) => f.endsWith('provenance.json'))).toBe(true);
  });
  afterAll(() => tmp.cleanup());

  it('staging = "store": exit 2 naming both keys, every original and 0=ocfl_1.1 survive', () => {
    const evil = path.join(tmp.dir, 'evil.toml');
    writeFileSync(evil, '[paths]\nstaging = "store"\n');
    const r = runCli(['ingest', card, '--home', home, '--config', evil]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('paths.store and paths.staging are the same path');
    expect(r.stderr).toContain(path.join(home, 'store'));
    expect(existsSync(path.join(home, 'store', '0=ocfl_1.1'))).toBe(true);
    expect(filesBelow(path.join(home, 'store'))).toEqual(heldBefore);
    const verify = runCli(['--home', home, 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('staging = ".": exit 2, the home folder is named, nothing is removed', () => {
    const evil = path.join(tmp.dir, 'dot.toml');
    writeFileSync(evil, '[paths]\nstaging = "."\n');
    const before = filesBelow(home);
    const r = runCli(['ingest', card, '--home', home, '--config', evil]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`paths.staging (${home}) is the home folder or holds it`);
    expect(filesBelow(home)).toEqual(before);
  });

  it('the daemon refuses the same configuration at start', () => {
    const evil = path.join(tmp.dir, 'evil-daemon.toml');
    writeFileSync(evil, '[paths]\nstaging = "store"\n');
    const r = runCli(['--home', home, '--config', evil, 'daemon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('paths.store and paths.staging are the same path');
    expect(filesBelow(path.join(home, 'store'))).toEqual(heldBefore);
  });
});

describe('resolveHome', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const refused = (paths: Record<string, unknown>, rules: Record<string, unknown> = {}): string => {
    try {
      resolveHome(tmp.dir, parseConfig({ paths, rules }));
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('resolves every path of the home once', () => {
    const home = resolveHome(tmp.dir, parseConfig({}));
    expect(home).toEqual({
      dir: tmp.dir,
      store: path.join(tmp.dir, 'store'),
      staging: path.join(tmp.dir, 'staging'),
      catalog: path.join(tmp.dir, 'catalog.sqlite'),
      journal: path.join(tmp.dir, 'journal'),
      checkpoints: path.join(tmp.dir, 'checkpoints'),
      keys: path.join(tmp.dir, 'keys'),
      calendar: path.join(tmp.dir, 'calendar'),
      docks: path.join(tmp.dir, 'docks'),
      run: path.join(tmp.dir, 'run'),
      pidFile: path.join(tmp.dir, 'run', 'daemon.pid'),
      statusFile: path.join(tmp.dir, 'run', 'daemon-status.json'),
    });
  });

  it('refuses nested, equal and home-holding places, naming the keys', () => {
    expect(refused({ staging: 'store/tmp' })).toContain(`paths.staging (${path.join(tmp.dir, 'store', 'tmp')}) is inside paths.store`);
    expect(refused({ docks: 'journal' })).toContain('paths.docks and <home>/journal are the same path');
    expect(refused({ catalog: 'staging/catalog.sqlite' })).toContain('paths.catalog');
    expect(refused({ store: '..' })).toContain('paths.store');
    expect(refused({}, { calendar_dir: 'keys' })).toContain('rules.calendar_dir and <home>/keys');
  });

  it('sees through a symlink to the store', () => {
    mkdirSync(path.join(tmp.dir, 'store'), { recursive: true });
    symlinkSync(path.join(tmp.dir, 'store'), path.join(tmp.dir, 'alias'));
    expect(refused({ staging: 'alias' })).toContain('paths.store and paths.staging are the same path');
  });

  it('refuses a store folder that holds files but is not a store', () => {
    const notStore = path.join(tmp.dir, 'documents');
    mkdirSync(notStore);
    writeFileSync(path.join(notStore, 'report.docx'), 'x');
    expect(refused({ store: 'documents' })).toContain(`paths.store (${notStore}) holds files but is not an evidock store`);
  });
});
