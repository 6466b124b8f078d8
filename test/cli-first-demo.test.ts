// Issue 12, point 8: small things a first demo trips on: --version, global options in every
// subcommand's --help, a bin that starts in well under a second.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/evidock.js';

describe('a first demo', () => {
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
});
