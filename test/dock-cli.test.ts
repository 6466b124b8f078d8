// `evidock docks` and the [docks] configuration, through the real CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, runCli, tempDir } from './helpers/evidock.js';

describe('evidock docks', () => {
  const tmp = tempDir('evidock-docks-cli-');
  afterAll(() => tmp.cleanup());

  it('lists the configured slots (empty, with their ports) when no daemon runs, as JSON and as a table', () => {
    const home = path.join(tmp.dir, 'h1');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), '[docks]\nwipe = true\n[docks.slots]\n"1-1.2" = "A2"\n"1-1.1" = "A1"\n"1.10" = "A10"\n');
    initHome(home);
    const r = runCli(['--home', home, 'docks', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ daemon: null, mount: 'external', mediaRoot: '/run/evidock/media', wipe: true });
    expect(out.slots.map((s: any) => [s.slot, s.port, s.state])).toEqual([
      ['A1', '1-1.1', 'empty'],
      ['A2', '1-1.2', 'empty'],
      ['A10', '1.10', 'empty'],
    ]);
    const t = runCli(['--home', home, 'docks']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/daemon: not running/);
    expect(t.stdout).toMatch(/^A2\s+1-1\.2\s+empty/m);
  });

  it('a bad slot key or recorder id stops with exit 2 naming the key', () => {
    const home = path.join(tmp.dir, 'h2');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'evidock.toml'), '[docks]\nrecorders = ["46f4-0001"]\n[docks.slots]\n"usb1/1-1" = "A1"\n');
    const r = runCli(['--home', home, 'docks']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/docks\.recorders\.0/);
    expect(r.stderr).toMatch(/docks\.slots/);
    writeFileSync(path.join(home, 'evidock.toml'), '[docks]\nmount = "udisks"\n');
    const m = runCli(['--home', home, 'docks']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/docks\.mount: must be one of "external", "self", "off"/);
  });
});
