// Separation of powers as real users (created and removed here; needs root, skips LOUDLY without):
// an auditor in the home's audit group reads (verify, show, list, report, log export, log proof,
// key show) a home they cannot write, changes nothing in it, and is told plainly that the read is
// not logged; the service user's entries carry the real uid with $SUDO_USER only as a claim; a
// command run as root that starts a new journal day file leaves it usable by the service user.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, copyFixtureRecorder, repoRoot, tempDir } from '../helpers/evidock.js';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (to create and remove the test users)');
for (const tool of ['useradd', 'userdel', 'groupadd', 'groupdel', 'setpriv']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
}
if (missing.length) console.warn(`\n*** SKIPPING auditor permission test (test/system/auditor-permissions.test.ts): missing ${missing.join('; ')} ***\n`);

const tag = randomBytes(3).toString('hex');
const SERVICE = `evdk-svc-${tag}`;
const AUDITOR = `evdk-aud-${tag}`;
const AUDIT_GROUP = `evdk-audit-${tag}`;

function idOf(user: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })) };
}

/** Runs the real CLI as `user` (real and effective uid, its groups), with a clean environment. */
function runAs(user: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', process.execPath, binPath, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every path under a folder with its size, mode, owner and mtime: "nothing changed" is this being equal. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = statSync(p);
      out.push(`${path.relative(dir, p)} ${st.size} ${(st.mode & 0o7777).toString(8)} ${st.uid} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(missing.length > 0)('auditors read without writing; real uids; root leaves nothing the service user cannot use', () => {
  const tmp = tempDir('evidock-powers-');
  let home: string;
  let svc: { uid: number; gid: number };
  beforeAll(() => {
    execFileSync('groupadd', [AUDIT_GROUP]);
    execFileSync('useradd', ['--system', '--no-create-home', '--user-group', SERVICE]);
    execFileSync('useradd', ['--system', '--no-create-home', '--user-group', '-G', AUDIT_GROUP, AUDITOR]);
    svc = idOf(SERVICE);
    chmodSync(tmp.dir, 0o755);
    home = path.join(tmp.dir, 'home');
    mkdirSync(home);
    execFileSync('chown', [`${SERVICE}:${AUDIT_GROUP}`, home]);
    const card = copyFixtureRecorder('7654321', path.join(tmp.dir, 'card'));
    execFileSync('chmod', ['-R', 'a+rX', card]);
    for (const args of [['init'], ['ingest', card], ['log', 'checkpoint']]) {
      const r = runAs(SERVICE, ['--home', home, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    // The audit group reads everything but the private key; nobody else reads anything.
    execFileSync('chgrp', ['-R', AUDIT_GROUP, home]);
    execFileSync('chmod', ['-R', 'g+rX,g-w,o-rwx', home]);
    chmodSync(path.join(home, 'keys', 'station.key'), 0o600);
  }, 300_000);
  afterAll(() => {
    for (const u of [AUDITOR, SERVICE]) spawnSync('userdel', [u]);
    spawnSync('groupdel', [AUDIT_GROUP]);
    tmp.cleanup();
  });

  it('an auditor runs verify, show, list, report, log export, log proof and key show; nothing in the home changes; each says the read is not logged', () => {
    const before = snapshot(home);
    const out = path.join(tmp.dir, 'auditor-export');
    mkdirSync(out);
    execFileSync('chown', [AUDITOR, out]);
    const list = runAs(AUDITOR, ['--home', home, 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const ev = (JSON.parse(list.stdout) as { evidenceNumber: string }[])[0].evidenceNumber;
    const runs: string[][] = [
      ['verify'],
      ['verify', '--quick'],
      ['show', ev],
      ['report', 'late'],
      ['log', 'export', '--out', path.join(out, 'bundle')],
      ['log', 'proof', ev, '--out', path.join(out, 'proof.json')],
      ['key', 'show'],
    ];
    for (const args of runs) {
      const r = runAs(AUDITOR, ['--home', home, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      if (args[0] !== 'key') expect(r.stderr, args.join(' ')).toMatch(new RegExp(`is not logged: ${home} is read-only for uid ${idOf(AUDITOR).uid} \\(${AUDITOR}\\)`));
    }
    expect(runAs(AUDITOR, ['log', 'verify', path.join(out, 'bundle')]).code).toBe(0);
    expect(runAs(AUDITOR, ['log', 'verify-proof', path.join(out, 'proof.json')]).code).toBe(0);
    expect(snapshot(home)).toEqual(before);
    // and cannot sign or read the key
    expect(runAs(AUDITOR, ['--home', home, 'log', 'checkpoint']).code).not.toBe(0);
  });

  it("the service user's entries carry its real uid; $SUDO_USER is only a claim beside it", () => {
    const r = runAs(SERVICE, ['--home', home, 'list'], { SUDO_USER: 'someone-else', USER: 'root' });
    expect(r.code, r.stderr).toBe(0);
    const journal = path.join(home, 'journal');
    const last = readdirSync(journal).filter((n) => n.endsWith('.jsonl')).sort().pop()!;
    const entry = JSON.parse(readFileSync(path.join(journal, last), 'utf8').trim().split('\n').pop()!) as { type: string; actor: Record<string, unknown> };
    expect(entry.type).toBe('records.listed');
    expect(entry.actor).toEqual({ via: 'cli', user: SERVICE, uid: svc.uid, sudoUser: 'someone-else' });
  });

  it('a command run as root that starts a new journal day leaves the file to the service user', () => {
    const journal = path.join(home, 'journal');
    const today = readdirSync(journal).filter((n) => n.endsWith('.jsonl')).sort().pop()!;
    // Today's file becomes "yesterday's" (sealed), so the next entry starts a new day file.
    const yesterday = new Date(Date.parse(`${today.slice(0, 10)}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    renameSync(path.join(journal, today), path.join(journal, `${yesterday}.jsonl`));
    chmodSync(path.join(journal, `${yesterday}.jsonl`), 0o444);
    const asRoot = spawnSync(process.execPath, [binPath, '--home', home, 'officers', 'add', '020304', '--name', 'Root Added'], { cwd: repoRoot, encoding: 'utf8' });
    expect(asRoot.status, asRoot.stderr).toBe(0);
    const made = path.join(journal, today);
    expect(statSync(made).uid).toBe(svc.uid);
    const asService = runAs(SERVICE, ['--home', home, 'officers', 'add', '030405', '--name', 'Service Added']);
    expect(asService.code, asService.stderr).toBe(0);
    expect(readFileSync(made, 'utf8')).toContain('030405');
  });
});
