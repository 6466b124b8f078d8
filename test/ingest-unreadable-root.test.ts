// Issue 11, point 7: a recorder whose own folder cannot be read (permissions, run as an
// unprivileged user) ends the session with a failure that says what happened and what to do,
// not an "interrupted" session with no reason.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-unreadable-');
afterAll(() => t.cleanup());

describe('an unreadable card root', () => {
  it('is a failed item naming the folder, the error and what to do; nothing held', () => {
    chmodSync(t.dir, 0o755);
    const card = path.join(t.dir, 'card');
    mkdirSync(card);
    writeFileSync(path.join(card, 'A_0001.MP4'), 'bytes');
    chmodSync(card, 0o000);
    const home = path.join(t.dir, 'home');
    mkdirSync(home);
    chownSync(home, 65534, 65534);
    const init = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, binPath, 'init', '--home', home], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(init.status, init.stderr).toBe(0);
    // root reads any folder: the CLI runs as nobody, as the daemon runs as its own user
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, binPath, 'ingest', card, '--home', home, '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    chmodSync(card, 0o755);
    expect(r.status, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: 'interrupted', held: 0, failed: 1 });
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].outcome).toBe('failed');
    expect(summary.problems[0].reason).toContain(card);
    expect(summary.problems[0].reason).toContain('EACCES');
    expect(summary.problems[0].reason).toContain('dock it again');
  }, 90_000);
});
