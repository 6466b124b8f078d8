// Issue 12, point 5: a reader that closes evidock's stdout (`| head -1`) ends the command quietly:
// exit 0, no EPIPE stack trace. Through a real shell pipe.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, initHome, runCli, tempDir } from './helpers/evidock.js';

/** Runs `evidock ARGS | READER` in bash; returns evidock's own exit code (PIPESTATUS[0]). */
function piped(home: string, args: string, reader: string): { code: number; stdout: string; stderr: string } {
  const script = `"${process.execPath}" "${binPath}" --home "${home}" ${args} | ${reader}; echo "evidock-exit=\${PIPESTATUS[0]}" >&2`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
  const m = /evidock-exit=(\d+)/.exec(r.stderr);
  return { code: m ? Number(m[1]) : -1, stdout: r.stdout, stderr: r.stderr.replace(/evidock-exit=\d+\n/, '') };
}

describe('a closed stdout', () => {
  const tmp = tempDir('evidock-pipes-');
  const home = path.join(tmp.dir, 'home');
  beforeAll(() => {
    initHome(home);
    // Enough log entries (> 64 KiB of JSON lines) that the export outlives `head -1`.
    const csv = path.join(tmp.dir, 'officers.csv');
    writeFileSync(csv, 'number,name,unit\n' + Array.from({ length: 500 }, (_, i) => `${200000 + i},Officer${i},U1`).join('\n') + '\n');
    const r = runCli(['--home', home, 'officers', 'import', csv]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('log export --format jsonl | head -1: one entry, exit 0, no stack trace', () => {
    const r = piped(home, 'log export --format jsonl', 'head -1');
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(r.stdout).type).toBeTypeOf('string');
  });

  it('calendar show 2026 | head -1 (and a reader that is already gone): exit 0, no stack trace', () => {
    const r = piped(home, 'calendar show 2026', 'head -1');
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2026/);
    const gone = piped(home, 'calendar show 2026', 'true');
    expect(gone.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(gone.code).toBe(0);
  });
});
