// Separation of powers as real users (created and removed here; needs root, skips LOUDLY without):
// an auditor in the home's audit group reads (verify, show, list, report, log export, log proof,
// key show) a home they cannot write, changes nothing in it, and is told plainly that the read is
// not logged while no daemon runs; with the daemon running as the service user, an auditor's show
// and log export are logged through its socket with the auditor's uid and name ($SUDO_USER only as
// a claim); the service user's entries carry the real uid with $SUDO_USER only as a claim; a
// command run as root that starts a new journal day file leaves it usable by the service user.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
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

/** The real daemon as `user`, resolved once it says its read socket listens; stop() ends it with SIGTERM. */
async function startDaemonAs(user: string, home: string): Promise<{ stop: () => Promise<number | null> }> {
  const child = spawn('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', process.execPath, binPath, '--home', home, 'daemon'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: '/', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the daemon did not open its read socket in 60 s:\n${out}\n${err}`)), 60_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('"msg":"read socket listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`the daemon exited (${code}):\n${out}\n${err}`)));
  });
  return {
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The newest journal entry. */
function lastEntry(home: string): { type: string; data: Record<string, unknown>; actor: Record<string, unknown> } {
  const journal = path.join(home, 'journal');
  const last = readdirSync(journal).filter((n) => n.endsWith('.jsonl')).sort().pop()!;
  return JSON.parse(readFileSync(path.join(journal, last), 'utf8').trim().split('\n').pop()!);
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

  it("with the daemon running as the service user, an auditor's show and log export are logged with the auditor's uid and name; $SUDO_USER only a claim", async () => {
    // As systemd/README.md sets a home up for auditors: every folder setgid to the audit group, so
    // what the running daemon makes (the catalog's WAL, the socket in run/) is in that group too.
    execFileSync('find', [home, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
    const auditor = idOf(AUDITOR);
    const daemon = await startDaemonAs(SERVICE, home);
    try {
      const sock = statSync(path.join(home, 'run', 'daemon.sock'));
      expect(sock.gid).toBe(Number(execFileSync('getent', ['group', AUDIT_GROUP], { encoding: 'utf8' }).split(':')[2]));
      expect(sock.mode & 0o777).toBe(0o660);
      const list = runAs(AUDITOR, ['--home', home, 'list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stderr).not.toMatch(/not logged/);
      expect(lastEntry(home)).toMatchObject({ type: 'records.listed', actor: { via: 'socket', user: AUDITOR, uid: auditor.uid } });
      const ev = (JSON.parse(list.stdout) as { evidenceNumber: string }[])[0].evidenceNumber;

      const show = runAs(AUDITOR, ['--home', home, 'show', ev], { SUDO_USER: 'root', USER: 'root' });
      expect(show.code, show.stderr).toBe(0);
      expect(show.stderr).not.toMatch(/not logged/);
      const read = lastEntry(home);
      expect(read.type).toBe('record.read');
      expect(read.data).toEqual({ evidenceNumber: ev });
      expect(read.actor).toEqual({ via: 'socket', user: AUDITOR, uid: auditor.uid, sudoUser: 'root' });

      const out = path.join(tmp.dir, 'auditor-export-logged');
      mkdirSync(out);
      execFileSync('chown', [AUDITOR, out]);
      const bundle = path.join(out, 'bundle');
      const exp = runAs(AUDITOR, ['--home', home, 'log', 'export', '--out', bundle]);
      expect(exp.code, exp.stderr).toBe(0);
      expect(exp.stderr).not.toMatch(/not logged/);
      const exported = lastEntry(home);
      expect(exported.type).toBe('log.exported');
      expect(exported.actor).toEqual({ via: 'socket', user: AUDITOR, uid: auditor.uid });
      expect(exported.data.manifestSha256).toBe(createHash('sha256').update(readFileSync(path.join(bundle, 'manifest.json'))).digest('hex'));
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    // With the daemon stopped, the auditor is told plainly again.
    const after = runAs(AUDITOR, ['--home', home, 'list']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toMatch(/is not logged: .* and the daemon is not running to log it through \(socket .*daemon\.sock: ENOENT\)/);
  }, 300_000);

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
