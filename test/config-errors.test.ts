// A bad configuration stops the start with exit 2 and names the key or path to fix.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/evidock.js';

describe('configuration errors', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  const withConfig = (name: string, toml: string) => {
    const home = path.join(tmp.dir, name);
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), toml);
    return home;
  };

  it('an unknown key: exit 2 naming it', () => {
    const home = withConfig('unknown', '[hash]\nsm4 = true\n');
    const r = runCli(['--home', home, 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hash.sm4: unknown setting');
  });

  it('a wrong type: exit 2 naming the key', () => {
    const home = withConfig('type', '[ingest]\nconcurrency = "many"\n');
    const r = runCli(['--home', home, 'daemon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ingest\.concurrency: .*number/);
  });

  it('a value outside the allowed ones: exit 2 listing them', () => {
    const home = withConfig('enum', '[ingest]\nconfirm_known = "trust"\n');
    const r = runCli(['--home', home, 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ingest.confirm_known: must be one of "digest", "metadata"');
  });

  it('a bad time zone: exit 2 naming station.timezone', () => {
    const home = withConfig('tz', '[station]\ntimezone = "Mars/Olympus"\n');
    const r = runCli(['--home', home, 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('station.timezone: must be an IANA time zone');
  });

  it('an unwritable home: exit 2 naming the path', () => {
    const file = path.join(tmp.dir, 'a-file');
    writeFileSync(file, '');
    const home = path.join(file, 'home');
    const r = runCli(['--home', home, 'daemon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(home);
    expect(r.stderr).toMatch(/not a writable directory/);
  });

  it('a missing --config file and an unknown command: exit 2', () => {
    expect(runCli(['--config', path.join(tmp.dir, 'nope.toml'), 'status']).code).toBe(2);
    expect(runCli(['frobnicate']).code).toBe(2);
  });
});
