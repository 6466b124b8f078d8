// Separation of powers with the notary running, as real users (created and removed here) on a
// real ext4 image (loop-mounted under the OS temp dir; needs root, skips LOUDLY without): the
// notary runs with only CAP_LINUX_IMMUTABLE, CAP_CHOWN and CAP_FOWNER; the service user cannot
// open a sealed original for writing, chmod, rename or delete it, cannot read the signing key;
// an original changed before sealing is refused; a checkpoint over a rewritten history is refused
// by the notary and logged on both sides; verify still passes on sealed objects; the daemon
// seals a docked recorder's originals soon after they are held, with no `notary seal` by hand.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, copyFixtureRecorder, repoRoot, tempDir } from '../helpers/evidock.js';
import { NotaryProcess } from '../helpers/notary-process.js';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root (to create the test users and loop-mount an ext4 image)');
for (const tool of ['useradd', 'userdel', 'setpriv', 'chattr', 'lsattr', 'mkfs.ext4', 'mount', 'umount', 'sqlite3']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
}
if (!missing.length) {
  // chattr +i needs a filesystem that keeps the flag: probe a loop-mounted ext4 image now.
  const probe = path.join(os.tmpdir(), `evidock-ext4-probe-${process.pid}`);
  mkdirSync(path.join(probe, 'mnt'), { recursive: true });
  const r = spawnSync('sh', ['-c', `truncate -s 16M img && mkfs.ext4 -q -F img && mount -o loop img mnt && umount mnt`], { cwd: probe, encoding: 'utf8' });
  if (r.status !== 0) missing.push(`a loop-mounted ext4 image (${r.stderr.trim()})`);
  rmSync(probe, { recursive: true, force: true });
}
if (missing.length) console.warn(`\n*** SKIPPING notary powers test (test/system/notary-powers.test.ts): missing ${missing.join('; ')} ***\n`);

const tag = randomBytes(3).toString('hex');
const SERVICE = `evdk-svc-${tag}`;
const NOTARY = `evdk-nty-${tag}`;
const CAPS = '+linux_immutable,+chown,+fowner';

function runAs(user: string, cmd: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', ...cmd], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/' },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const cliAs = (user: string, args: string[]) => runAs(user, [process.execPath, binPath, ...args]);
/** A file operation as the service user, in node: the error code, or 'ok'. */
const tryAs = (user: string, js: string) => runAs(user, [process.execPath, '-e', `try { ${js}; console.log('ok') } catch (e) { console.log(e.code) }`]).stdout.trim();

describe.skipIf(missing.length > 0)('the notary as its own user: sealed originals, the key out of reach, history only extended', () => {
  const tmp = tempDir('evidock-notary-powers-');
  const mnt = path.join(tmp.dir, 'mnt');
  const home = path.join(mnt, 'home');
  const state = path.join(tmp.dir, 'notary-state');
  const socket = path.join(tmp.dir, 'run', 'notary.sock');
  let notary: NotaryProcess | undefined;
  let mounted = false;

  beforeAll(async () => {
    chmodSync(tmp.dir, 0o755);
    execFileSync('truncate', ['-s', '128M', path.join(tmp.dir, 'store.img')]);
    execFileSync('mkfs.ext4', ['-q', '-F', path.join(tmp.dir, 'store.img')]);
    mkdirSync(mnt);
    execFileSync('mount', ['-o', 'loop', path.join(tmp.dir, 'store.img'), mnt]);
    mounted = true;
    chmodSync(mnt, 0o755);
    execFileSync('useradd', ['--system', '--no-create-home', '--user-group', SERVICE]);
    execFileSync('useradd', ['--system', '--no-create-home', '--user-group', '-G', SERVICE, NOTARY]);
    mkdirSync(home, { mode: 0o750 });
    execFileSync('chown', [`${SERVICE}:${SERVICE}`, home]);
    mkdirSync(path.join(tmp.dir, 'run'), { mode: 0o755 });
    execFileSync('chown', [`${NOTARY}:${NOTARY}`, path.join(tmp.dir, 'run')]);
    const card = copyFixtureRecorder('7654321', path.join(tmp.dir, 'card'));
    execFileSync('chmod', ['-R', 'a+rX', card]);
    for (const args of [['init'], ['ingest', card], ['log', 'checkpoint']]) {
      const r = cliAs(SERVICE, ['--home', home, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    // Root moves the key to the notary (logged), then configures the socket.
    const adopt = cliAs('root', ['--home', home, 'notary', 'adopt-key', '--state', state, '--user', NOTARY]);
    expect(adopt.code, adopt.stderr).toBe(0);
    appendFileSync(path.join(home, 'evidock.toml'), `\n[notary]\nsocket = ${JSON.stringify(socket)}\n`);
    notary = new NotaryProcess(['serve', '--state', state, '--socket', socket, '--socket-group', SERVICE, '--home', home], {
      prefix: ['setpriv', `--reuid=${NOTARY}`, `--regid=${NOTARY}`, '--init-groups', `--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=-all,${CAPS}`, '--'],
      spawn: { env: { PATH: process.env.PATH, HOME: '/' } },
    });
    await notary.ready;
  }, 300_000);

  afterAll(async () => {
    await notary?.stop();
    if (mounted) {
      spawnSync('chattr', ['-R', '-i', home]);
      spawnSync('umount', [mnt]);
    }
    for (const u of [NOTARY, SERVICE]) spawnSync('userdel', [u]);
    tmp.cleanup();
  });

  it('runs with exactly the three capabilities, as its own user', () => {
    const status = readFileSync(`/proc/${notary!.child.pid}/status`, 'utf8');
    // setpriv execs node in place: the process is the notary itself.
    expect(status).toMatch(/^CapEff:\s+0000000000000209$/m);
    expect(status).toMatch(/^CapBnd:\s+0000000000000209$/m);
    expect(statSync(socket).mode & 0o777).toBe(0o660);
  });

  it('seals held originals; the service user can no longer write, chmod, rename or delete them, nor read the key; verify still passes', () => {
    const seal = cliAs(SERVICE, ['--home', home, 'notary', 'seal', '--json']);
    expect(seal.code, seal.stderr).toBe(0);
    const pass = JSON.parse(seal.stdout);
    expect(pass.sealed.length).toBeGreaterThan(0);
    expect(pass.refused).toEqual([]);
    const [objectPath, contentPath] = execFileSync('sqlite3', [path.join(home, 'catalog.sqlite'), 'SELECT object_path, content_path FROM originals LIMIT 1'], { encoding: 'utf8' }).trim().split('|');
    const objectRoot = path.join(home, 'store', objectPath);
    const file = path.join(objectRoot, contentPath);
    const st = statSync(file);
    expect(st.uid).toBe(0);
    expect(st.mode & 0o777).toBe(0o444);
    expect(execFileSync('lsattr', ['-d', file], { encoding: 'utf8' })).toMatch(/^\S*i\S*\s/);
    const f = JSON.stringify(file);
    expect(tryAs(SERVICE, `require('fs').openSync(${f}, 'r+')`)).toMatch(/^(EPERM|EACCES)$/);
    expect(tryAs(SERVICE, `require('fs').chmodSync(${f}, 0o644)`)).toBe('EPERM');
    expect(tryAs(SERVICE, `require('fs').renameSync(${f}, ${f} + '.x')`)).toMatch(/^(EPERM|EACCES)$/);
    expect(tryAs(SERVICE, `require('fs').unlinkSync(${f})`)).toMatch(/^(EPERM|EACCES)$/);
    const rm = runAs(SERVICE, ['rm', '-rf', objectRoot]);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toMatch(/Operation not permitted|Permission denied/);
    expect(statSync(file).size).toBe(st.size);
    expect(tryAs(SERVICE, `require('fs').readFileSync(${JSON.stringify(path.join(state, 'signing.key'))})`)).toBe('EACCES');
    expect(tryAs(SERVICE, `require('fs').readdirSync(${JSON.stringify(state)})`)).toBe('EACCES');
    const verify = cliAs(SERVICE, ['--home', home, 'verify', '--full']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    // Sealed already: a second pass hands nothing to the notary.
    expect(JSON.parse(cliAs(SERVICE, ['--home', home, 'notary', 'seal', '--json']).stdout)).toMatchObject({ sealed: [], alreadySealed: pass.sealed.length });
  }, 240_000);

  it('an original changed before it was sealed is refused, with the reason, in both logs', () => {
    const card = copyFixtureRecorder('1234567', path.join(tmp.dir, 'card-2'));
    execFileSync('chmod', ['-R', 'a+rX', card]);
    expect(cliAs(SERVICE, ['--home', home, 'ingest', card]).code).toBe(0);
    expect(cliAs(SERVICE, ['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const rows = execFileSync('sqlite3', [path.join(home, 'catalog.sqlite'), "SELECT evidence_number, object_path || '/' || content_path FROM originals ORDER BY evidence_number DESC LIMIT 1"], { encoding: 'utf8' }).trim().split('|');
    const file = path.join(home, 'store', rows[1]);
    // The service user still owns it: as an adversary it makes it writable and changes a byte.
    expect(tryAs(SERVICE, `const fs = require('fs'); fs.chmodSync(${JSON.stringify(file)}, 0o644); fs.appendFileSync(${JSON.stringify(file)}, 'x')`)).toBe('ok');
    const seal = cliAs(SERVICE, ['--home', home, 'notary', 'seal', '--json']);
    expect(seal.code).toBe(1);
    const refused = JSON.parse(seal.stdout).refused.find((r: any) => r.evidenceNumber === rows[0]);
    expect(refused.reason).toMatch(/has sha256 [0-9a-f]{64}, its file\.held entry \(seq \d+\) says [0-9a-f]{64}: not sealed/);
    expect(statSync(file).uid).not.toBe(0);
    const log = readFileSync(path.join(state, 'notary-log.jsonl'), 'utf8');
    expect(log).toContain('"event":"seal-refused"');
    const entries = execFileSync('sqlite3', [path.join(home, 'catalog.sqlite'), "SELECT count(*) FROM audit_entries WHERE type = 'notary.seal-refused'"], { encoding: 'utf8' }).trim();
    expect(Number(entries)).toBeGreaterThan(0);
    // A refusal that stands is logged once per original and reason, not at every pass; status counts it.
    expect(cliAs(SERVICE, ['--home', home, 'notary', 'seal', '--json']).code).toBe(1);
    const again = execFileSync('sqlite3', [path.join(home, 'catalog.sqlite'), `SELECT count(*) FROM audit_entries WHERE type = 'notary.seal-refused' AND json_extract(entry, '$.data.evidenceNumber') = '${rows[0]}'`], { encoding: 'utf8' }).trim();
    expect(again).toBe('1');
    const status = cliAs(SERVICE, ['--home', home, 'status', '--json']);
    expect(JSON.parse(status.stdout).originalsRefusedSealing).toBe(1);
    expect(cliAs(SERVICE, ['--home', home, 'status']).stdout).toMatch(/^sealing: the notary refused 1 original\(s\)/m);
  }, 240_000);

  it('the daemon seals a docked recorder\'s originals soon after they are held, with no `notary seal` run by hand', async () => {
    const db = path.join(home, 'catalog.sqlite');
    const originals = () =>
      execFileSync('sqlite3', [db, "SELECT evidence_number || '|' || object_path || '/' || content_path FROM originals"], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const before = new Set(originals());
    const daemon = spawn('setpriv', [`--reuid=${SERVICE}`, `--regid=${SERVICE}`, '--init-groups', '--', process.execPath, binPath, '--home', home, 'daemon'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: '/', CI: 'true', EVIDOCK_WEB_LISTEN: '127.0.0.1:0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    daemon.stdout!.on('data', (d) => (out += d));
    daemon.stderr!.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => daemon.on('exit', resolve));
    try {
      const docks = path.join(home, 'docks');
      const until = async (what: string, ok: () => boolean, ms: number) => {
        const end = Date.now() + ms;
        while (!ok()) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}; daemon said:\n${out.slice(-3000)}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      await until('the daemon to start', () => out.includes('evidock daemon ready') && existsSync(docks), 120_000);
      // Staged on the same filesystem, then renamed in: an atomic dock.
      const staged = copyFixtureRecorder('A9K3F20', path.join(mnt, 'staged-A9K3F20'));
      execFileSync('chmod', ['-R', 'a+rX', staged]);
      const docked = Date.now();
      renameSync(staged, path.join(docks, 'A9K3F20'));
      let fresh: string[][] = [];
      await until('the docked recorder to be held', () => (fresh = originals().filter((o) => !before.has(o)).map((o) => o.split('|'))).length > 0, 180_000);
      await until(
        'the held originals to be sealed',
        () => fresh.every(([, rel]) => statSync(path.join(home, 'store', rel)).uid === 0),
        180_000,
      );
      const seconds = (Date.now() - docked) / 1000;
      console.log(`sealed ${fresh.length} original(s) ${seconds.toFixed(1)} s after docking (no \`notary seal\` by hand)`);
      for (const [ev] of fresh) {
        const sealed = execFileSync('sqlite3', [db, `SELECT count(*) FROM audit_entries WHERE type = 'original.sealed' AND json_extract(entry, '$.data.evidenceNumber') = '${ev}'`], { encoding: 'utf8' }).trim();
        expect(sealed, ev).toBe('1');
      }
      expect(tryAs(SERVICE, `require('fs').appendFileSync(${JSON.stringify(path.join(home, 'store', fresh[0][1]))}, 'x')`)).toMatch(/^E(PERM|ACCES)$/);
    } finally {
      daemon.kill('SIGTERM');
      await exited;
    }
  }, 600_000);

  it('a checkpoint over a rewritten history is refused by the notary and logged', () => {
    const forged = createHash('sha256').update(Buffer.from([0])).update('forged').digest('hex');
    const db = path.join(home, 'catalog.sqlite');
    const tamper = runAs(SERVICE, ['sqlite3', db, `DROP TRIGGER audit_tree_no_delete; DROP TRIGGER audit_entries_no_update; DELETE FROM audit_tree; UPDATE audit_entries SET leaf_hash = X'${forged}' WHERE seq = 0;`]);
    expect(tamper.code, tamper.stderr).toBe(0);
    const cp = cliAs(SERVICE, ['--home', home, 'log', 'checkpoint']);
    expect(cp.code).not.toBe(0);
    expect(cp.stderr).toMatch(/the notary refused to sign: rewritten history: not an extension of the last signed checkpoint/);
    const log = readFileSync(path.join(state, 'notary-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((e) => e.event === 'refused').at(-1).reason).toMatch(/^rewritten history/);
    expect(execFileSync('sqlite3', [db, "SELECT count(*) FROM audit_entries WHERE type = 'notary.refused'"], { encoding: 'utf8' }).trim()).toBe('1');
  }, 240_000);
});
