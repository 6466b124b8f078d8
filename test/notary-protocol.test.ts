// The notary on a real socket (same user, temp dir): it takes the station's key only by an
// explicit adopt-key, signs checkpoints that extend the last one it signed, refuses a rewritten
// history with the reason (in its own log and in the station's audit log), and keeps its last
// checkpoint across a restart. The extension rule is checked against the RFC 6962 vectors.
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../src/audit/checkpoint.js';
import { parseVerifierKey } from '../src/audit/note.js';
import { refusalReason } from '../src/notary/extension.js';
import { binPath, copyFixtureRecorder, readyHome, repoRoot, runCli, tempDir } from './helpers/evidock.js';
import { askNotary, NotaryProcess } from './helpers/notary-process.js';

const tmp = tempDir('evidock-notary-');
const running: NotaryProcess[] = [];
afterAll(async () => {
  for (const n of running) await n.stop();
  tmp.cleanup();
});

async function startNotary(state: string, socket: string): Promise<NotaryProcess> {
  const n = new NotaryProcess(['--state', state, '--socket', socket]);
  running.push(n);
  await n.ready;
  return n;
}

function notaryLog(state: string): any[] {
  return readFileSync(path.join(state, 'notary-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

function entriesOfType(home: string, type: string): any[] {
  const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT entry FROM audit_entries WHERE type = ? ORDER BY seq').all(type) as { entry: string }[]).map((r) => JSON.parse(r.entry));
  } finally {
    db.close();
  }
}

describe('evidock notary', () => {
  it('adopts the key explicitly, signs extensions, refuses a rewritten history (logged on both sides), keeps its last checkpoint across a restart', async () => {
    const home = readyHome(path.join(tmp.dir, 'home'), ['7654321']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const pub = readFileSync(path.join(home, 'keys', 'station.pub'), 'utf8').trim();
    const state = path.join(tmp.dir, 'notary-state');
    const socket = path.join(tmp.dir, 'notary.sock');
    expect(runCli(['--home', home, 'status']).stdout).toContain("notary: none configured ([notary] socket unset): checkpoints are signed with the service's own key (keys/station.key); originals are not sealed");

    // No key in the state dir: the notary refuses to start, naming adopt-key.
    const keyless = new NotaryProcess(['--state', state, '--socket', socket]);
    expect(await keyless.exited).toBe(2);
    expect(keyless.stderr).toMatch(/no signing key at .*signing\.key: move the station's key here with `evidock notary adopt-key/);

    const adopt = runCli(['--home', home, 'notary', 'adopt-key', '--state', state, '--json']);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(JSON.parse(adopt.stdout)).toMatchObject({ publicKey: pub, lastSize: expect.any(Number) });
    expect(existsSync(path.join(home, 'keys', 'station.key'))).toBe(false);
    expect(statSync(path.join(state, 'signing.key')).mode & 0o777).toBe(0o600);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(entriesOfType(home, 'station.key-adopted')).toHaveLength(1);

    // Adopted but no notary configured: signing fails naming what to do; no key is made.
    const unset = runCli(['--home', home, 'log', 'checkpoint']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/the station key was moved to the notary \(.*signing\.key, `evidock notary adopt-key`\): only the notary signs\. Set \[notary\] socket/);
    expect(existsSync(path.join(home, 'keys', 'station.key'))).toBe(false);

    appendFileSync(path.join(home, 'evidock.toml'), `\n[notary]\nsocket = ${JSON.stringify(socket)}\n`);
    // Configured but not running: signing waits, saying why; nothing is signed with another key.
    const down = runCli(['--home', home, 'log', 'checkpoint']);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/notary at .*notary\.sock is not running/);
    expect(runCli(['--home', home, 'status']).stdout).toMatch(/notary: DOWN \(notary at .*notary\.sock is not running \(ENOENT\).*\); ingest goes on, checkpoints are signed when it is back/);

    let notary = await startNotary(state, socket);
    expect(statSync(socket).mode & 0o777).toBe(0o660);
    const before = await askNotary(socket, { op: 'status' });
    expect(before).toMatchObject({ ok: true, publicKey: pub });
    expect(runCli(['--home', home, 'status']).stdout).toContain(`notary: up at ${socket}; it signs with ${pub}; last checkpoint it signed: size ${before.last.size}`);

    // A second recorder, then a checkpoint: the notary signs the extension with the station's key.
    const card = copyFixtureRecorder('1234567', path.join(tmp.dir, 'card-2'));
    expect(runCli(['--home', home, 'ingest', card]).code).toBe(0);
    const cp = runCli(['--home', home, 'log', 'checkpoint', '--json']);
    expect(cp.code, cp.stderr).toBe(0);
    const after = await askNotary(socket, { op: 'status' });
    expect(after.last.size).toBeGreaterThan(before.last.size);
    const signed = openCheckpoint(after.last.note, parseVerifierKey(pub));
    expect(signed.size).toBe(after.last.size);
    const show = runCli(['--home', home, 'key', 'show', '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ publicKey: pub, problems: [] });
    expect(notaryLog(state).filter((e) => e.event === 'signed').map((e) => e.size)).toContain(after.last.size);

    // Restart: the notary still knows the last checkpoint it signed.
    expect(await notary.stop()).toBe(0);
    notary = await startNotary(state, socket);
    expect((await askNotary(socket, { op: 'status' })).last).toEqual(after.last);

    // A consistent rewrite of history by the service user: triggers dropped, the first entry's
    // leaf changed, the stored tree emptied so it is rebuilt from the forged leaf.
    const db = new Database(path.join(home, 'catalog.sqlite'));
    db.exec('DROP TRIGGER audit_tree_no_delete; DROP TRIGGER audit_entries_no_update; DELETE FROM audit_tree;');
    db.prepare('UPDATE audit_entries SET leaf_hash = ? WHERE seq = 0').run(createHash('sha256').update(Buffer.from([0])).update('forged').digest());
    db.close();
    const forged = runCli(['--home', home, 'log', 'checkpoint']);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toMatch(/the notary refused to sign: rewritten history: not an extension of the last signed checkpoint \(size \d+/);
    expect((await askNotary(socket, { op: 'status' })).last).toEqual(after.last);
    const refusals = notaryLog(state).filter((e) => e.event === 'refused');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ lastSize: after.last.size, reason: expect.stringMatching(/^rewritten history/) });
    const recorded = entriesOfType(home, 'notary.refused');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data.reason).toBe(refusals[0].reason);
    // Recorded with the real actor: the CLI run that asked (its uid), not the daemon.
    expect(recorded[0].actor).toMatchObject({ via: 'cli', uid: process.getuid!() });
    const journal = readdirSync(path.join(home, 'journal')).map((f) => readFileSync(path.join(home, 'journal', f), 'utf8')).join('');
    expect(journal).toContain('"type":"notary.refused"');

    // A shorter log, asked straight on the socket: refused too.
    const shorter = await askNotary(socket, { op: 'sign', origin: 'STATION', size: 1, root: after.last.root, fromSize: after.last.size, proof: [] });
    expect(shorter).toMatchObject({ ok: false, refused: true, reason: `rewritten history: size 1 is below the last signed size ${after.last.size}` });
    const junk = await askNotary(socket, { op: 'sign', origin: 'STATION' });
    expect(junk).toMatchObject({ ok: false, error: expect.stringMatching(/proof must be an array/) });
  }, 240_000);

  it('a second adopt-key is refused: the station key is gone from the home, and the notary keeps one key', () => {
    const home = readyHome(path.join(tmp.dir, 'twice'), []);
    const state = path.join(tmp.dir, 'twice-state');
    expect(runCli(['--home', home, 'notary', 'adopt-key', '--state', state]).code).toBe(0);
    const again = runCli(['--home', home, 'notary', 'adopt-key', '--state', state]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no station key at .*station\.key to adopt/);
  });
});

describe('the extension rule against the RFC 6962 consistency vectors', () => {
  const dir = path.join(repoRoot, 'test', 'data', 'rfc6962', 'consistency');
  const vectors = readdirSync(dir).flatMap((sub) =>
    readdirSync(path.join(dir, sub)).filter((f) => f.endsWith('.json')).map((f) => ({ name: `${sub}/${f}`, v: JSON.parse(readFileSync(path.join(dir, sub, f), 'utf8')) })),
  );
  it('signs exactly the vectors that are valid extensions', () => {
    let checked = 0;
    for (const { name, v } of vectors) {
      if (!(v.size1 > 0) || !Array.isArray(v.proof) || typeof v.root1 !== 'string' || typeof v.root2 !== 'string') continue;
      const root1 = Buffer.from(v.root1, 'base64');
      const root2 = Buffer.from(v.root2, 'base64');
      if (root1.length !== 32 || root2.length !== 32) continue;
      const reason = refusalReason(
        { checkpoint: { origin: 'S', size: v.size2, root: root2 }, fromSize: v.size1, proof: v.proof.map((p: string) => Buffer.from(p, 'base64')) },
        { origin: 'S', size: v.size1, root: root1 },
        'S',
      );
      expect(reason === null, `${name}: ${reason}`).toBe(!v.wantErr);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a notary that does not answer: log checkpoint gives up after its timeout, naming it, and the catalog stays writable meanwhile (signing is outside the transaction)', async () => {
    const home = readyHome(path.join(tmp.dir, 'silent-home'), ['7654321']);
    const socket = path.join(tmp.dir, 'silent.sock');
    const peers: net.Socket[] = [];
    const silent = net.createServer((peer) => {
      peers.push(peer); // accepts and reads, never answers
      peer.resume();
    });
    await new Promise<void>((resolve) => silent.listen(socket, resolve));
    try {
      appendFileSync(path.join(home, 'evidock.toml'), `\n[notary]\nsocket = ${JSON.stringify(socket)}\n`);
      const started = Date.now();
      const child = spawn(process.execPath, [binPath, '--home', home, 'log', 'checkpoint'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // While the checkpoint waits for the notary, another command writes the catalog (its run is logged).
      await new Promise((r) => setTimeout(r, 3000));
      const before = entriesOfType(home, 'verify.run').length;
      const write = await new Promise<number | null>((resolve) => spawn(process.execPath, [binPath, '--home', home, 'verify', '--quick'], { stdio: 'ignore' }).on('exit', resolve));
      expect(write).toBe(0);
      expect(entriesOfType(home, 'verify.run').length).toBe(before + 1);
      expect(await exited).not.toBe(0);
      expect(stderr).toMatch(/notary at .*silent\.sock did not answer within 15 s/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(15_000);
    } finally {
      for (const p of peers) p.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 240_000);

  it('key rotate with the key in the notary: the notary makes the next key, signs the rotation with the old one, and signs on with the new one from the checkpoint covering it; log verify --key OLD follows it', async () => {
    const home = readyHome(path.join(tmp.dir, 'rotate-home'), ['7654321']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const oldPub = readFileSync(path.join(home, 'keys', 'station.pub'), 'utf8').trim();
    const state = path.join(tmp.dir, 'rotate-state');
    const socket = path.join(tmp.dir, 'rotate.sock');
    expect(runCli(['--home', home, 'notary', 'adopt-key', '--state', state]).code).toBe(0);
    appendFileSync(path.join(home, 'evidock.toml'), `\n[notary]\nsocket = ${JSON.stringify(socket)}\n`);
    await startNotary(state, socket);
    const r = runCli(['--home', home, 'key', 'rotate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { previousKey: string; publicKey: string; rotationSeq: number };
    expect(out.previousKey).toBe(oldPub);
    expect(out.publicKey).not.toBe(oldPub);
    // The notary signs with the new key now; the home has no private key; station.pub is the new key.
    const status = await askNotary(socket, { op: 'status' });
    expect(status.publicKey).toBe(out.publicKey);
    expect(status.last.size).toBe(out.rotationSeq + 1);
    expect(existsSync(path.join(home, 'keys', 'station.key'))).toBe(false);
    expect(existsSync(path.join(state, 'signing.key.next'))).toBe(false);
    expect(readFileSync(path.join(home, 'keys', 'station.pub'), 'utf8').trim()).toBe(out.publicKey);
    expect(notaryLog(state).map((e) => e.event)).toEqual(expect.arrayContaining(['rotation-prepared', 'rotated']));
    const rotation = entriesOfType(home, 'station.key-rotated');
    expect(rotation).toHaveLength(1);
    expect(rotation[0].data).toMatchObject({ previousKey: oldPub, publicKey: out.publicKey });
    // More ingest, signed by the notary with the new key; the auditor follows from the old key.
    expect(runCli(['--home', home, 'ingest', copyFixtureRecorder('1234567', path.join(tmp.dir, 'rotate-card'))]).code).toBe(0);
    const exp = path.join(tmp.dir, 'rotate-export');
    expect(runCli(['--home', home, 'log', 'export', '--out', exp]).code).toBe(0);
    const oldFile = path.join(tmp.dir, 'rotate-old.pub');
    writeFileSync(oldFile, oldPub + '\n');
    const v = runCli(['log', 'verify', exp, '--key', oldFile]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/followed 1 rotation\(s\)/);
    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code, check.stdout).toBe(0);
    // A sign request naming a rotation the notary did not prepare is refused.
    const forged = await askNotary(socket, { op: 'sign', origin: 'STATION', size: status.last.size, root: status.last.root, fromSize: status.last.size, proof: [], rotation: { seq: 0, entry: '{}', proof: [] } });
    expect(forged).toMatchObject({ ok: false, refused: true, reason: expect.stringMatching(/no key rotation is prepared/) });
  }, 240_000);
});
