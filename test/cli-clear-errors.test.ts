// Issue 12, point 6: clear errors. `log verify` of a missing folder is a usage error; the hint
// printed by `log export` works when followed literally; ocfl_layout.json describes the 0004
// layout; calendar overrides live in one place (<home>/calendar), said the same everywhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingNextYearWarning, WorkingCalendar } from '../src/rules/calendar.js';
import { binPath, initHome, repoRoot, runCli, tempDir } from './helpers/evidock.js';

describe('clear errors', () => {
  const tmp = tempDir('evidock-clear-errors-');
  const home = path.join(tmp.dir, 'home');
  beforeAll(() => initHome(home));
  afterAll(() => tmp.cleanup());

  it('log verify of a folder that does not exist: exit 2, "no such directory"', () => {
    const r = runCli(['log', 'verify', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent: no such directory/);
    expect(r.stdout).not.toMatch(/BROKEN/);
    const p = runCli(['log', 'verify', home, '--previous', path.join(tmp.dir, 'nope')]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--previous .*nope: no such directory/);
  });

  it('the hint printed by log export verifies the export when followed literally', () => {
    const out = path.join(tmp.dir, 'export1');
    const r = runCli(['--home', home, 'log', 'export', '--out', out], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const hint = /check it anywhere with: evidock (log verify .*)$/m.exec(r.stdout);
    expect(hint, r.stdout).not.toBeNull();
    const v = spawnSync('bash', ['-c', `"${process.execPath}" "${binPath}" ${hint![1]}`], { cwd: tmp.dir, encoding: 'utf8' });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/verifies/);
  });

  it("ocfl_layout.json describes the 0004 layout, not 0003's", () => {
    const layout = JSON.parse(readFileSync(path.join(home, 'store', 'ocfl_layout.json'), 'utf8'));
    expect(layout).toEqual({ extension: '0004-hashed-n-tuple-storage-layout', description: 'Hashed N-tuple Storage Layout' });
  });

  it('calendar overrides: <home>/calendar everywhere (runtime warning, READMEs, example), never config/calendar/<year>.json', () => {
    const warning = missingNextYearWarning(new WorkingCalendar(), '2026-12-01')!;
    expect(warning).toContain('<home>/calendar/2027.json');
    expect(warning).toContain('evidock calendar import');
    const texts: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|md|json|toml)$/.test(name)) texts.push(p);
      }
    };
    for (const d of ['src', 'config', 'docs']) if (existsSync(path.join(repoRoot, d))) walk(path.join(repoRoot, d));
    texts.push(path.join(repoRoot, 'README.md'));
    for (const file of texts) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/config\/calendar\/(<year>|\$\{|\d{4})/);
    }
    expect(readFileSync(path.join(repoRoot, 'README.md'), 'utf8')).toContain('<home>/calendar/<year>.json');
    expect(readFileSync(path.join(repoRoot, 'config', 'calendar', 'README.md'), 'utf8')).toContain('<home>/calendar/');
  });
});
