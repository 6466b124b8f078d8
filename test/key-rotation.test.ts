// Key rotation on a real home: `key rotate` logs a station.key-rotated entry signed by the old key
// and signs on with the new one; an auditor holding only the old key follows the rotation
// (`log verify --key OLD`), `catalog check` checks each checkpoint with the key of its size, and
// a forged rotation, a checkpoint of an old size re-signed with the new key, or a key replaced
// without a rotation are caught, named.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../src/audit/checkpoint.js';
import { rotationData } from '../src/audit/key-history.js';
import { appendAuditEntry, attachAuditHome, currentActor, detachAuditHome, flushAuditJournal } from '../src/audit/log.js';
import { formatSignerKey, formatVerifierKey, generateSigner, openNote, parseSignerKey, signNote, verifierOf } from '../src/audit/note.js';
import { openCatalog } from '../src/store/catalog.js';
import { copyFixtureRecorder, readyHome, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-key-rotation-');
afterAll(() => tmp.cleanup());

function keyFile(name: string, text: string): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, text.trim() + '\n');
  return file;
}

/** Append one entry to a home's log as someone with the service user's rights could. */
async function appendAsServiceUser(home: string, type: string, data: Record<string, unknown>): Promise<number> {
  const db = openCatalog(path.join(home, 'catalog.sqlite'));
  attachAuditHome(db, home);
  try {
    const seq = db.transaction(() => appendAuditEntry(db, { type, data, actor: currentActor('cli') }).seq)();
    await flushAuditJournal(db);
    return seq;
  } finally {
    detachAuditHome(db);
    db.close();
  }
}

/** Replace keys/station.key and station.pub with `signer`. */
function putKey(home: string, signer: ReturnType<typeof generateSigner>): void {
  const dir = path.join(home, 'keys');
  chmodSync(path.join(dir, 'station.key'), 0o600);
  writeFileSync(path.join(dir, 'station.key'), formatSignerKey(signer) + '\n');
  chmodSync(path.join(dir, 'station.pub'), 0o644);
  writeFileSync(path.join(dir, 'station.pub'), formatVerifierKey(verifierOf(signer)) + '\n');
}

describe('key rotation', () => {
  const home = path.join(tmp.dir, 'home');
  let oldPub = '';
  let newPub = '';
  let rotationSeq = -1;

  it('key rotate: the old key signs a last checkpoint and the rotation entry; the new key signs on; the old public key is kept', () => {
    readyHome(home, ['7654321']);
    oldPub = runCli(['--home', home, 'key', 'show']).stdout.trim();
    expect(runCli(['--home', home, 'log', 'export', '--out', path.join(tmp.dir, 'e1')]).code).toBe(0);
    const r = runCli(['--home', home, 'key', 'rotate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { previousKey: string; publicKey: string; rotationSeq: number; firstNewCheckpoint: string };
    expect(out.previousKey).toBe(oldPub);
    expect(out.publicKey).not.toBe(oldPub);
    newPub = out.publicKey;
    rotationSeq = out.rotationSeq;
    // The new key is in place, private 0600, public 0444; the old public key is kept.
    expect(formatVerifierKey(verifierOf(parseSignerKey(readFileSync(path.join(home, 'keys', 'station.key'), 'utf8'))))).toBe(newPub);
    expect(statSync(path.join(home, 'keys', 'station.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(home, 'keys', 'station.pub'), 'utf8').trim()).toBe(newPub);
    const retired = readdirSync(path.join(home, 'keys', 'retired'));
    expect(retired.map((n) => readFileSync(path.join(home, 'keys', 'retired', n), 'utf8').trim())).toEqual([oldPub]);
    // The first checkpoint after the rotation covers it and opens with the new key only.
    const note = readFileSync(path.join(home, out.firstNewCheckpoint), 'utf8');
    expect(parseCheckpoint(openNote(note, [verifierOf(parseSignerKey(readFileSync(path.join(home, 'keys', 'station.key'), 'utf8')))]).text).size).toBe(rotationSeq + 1);
    // The rotation entry carries the new key and a statement the old key signed.
    const entries = runCli(['--home', home, 'log', 'export', '--format', 'jsonl']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const rot = entries.find((e) => e.seq === rotationSeq);
    expect(rot).toMatchObject({ type: 'station.key-rotated', data: { previousKey: oldPub, publicKey: newPub } });
    expect(rot.actor.via).toBe('cli');
  });

  it('after more ingest: log verify --key OLD follows the rotation (also with --previous); catalog check passes; key show lists the history', () => {
    const card = copyFixtureRecorder('1234567', `${home}-card-2`);
    expect(runCli(['--home', home, 'ingest', card]).code).toBe(0);
    const e2 = path.join(tmp.dir, 'e2');
    expect(runCli(['--home', home, 'log', 'export', '--out', e2]).code).toBe(0);
    expect(existsSync(path.join(e2, 'key-history.json'))).toBe(true);
    const old = keyFile('old.pub', oldPub);
    const v = runCli(['log', 'verify', e2, '--key', old]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/followed 1 rotation\(s\), each signed by the key before it/);
    const vp = runCli(['log', 'verify', e2, '--previous', path.join(tmp.dir, 'e1'), '--key', old]);
    expect(vp.code, vp.stdout).toBe(0);
    expect(runCli(['log', 'verify', e2, '--key', keyFile('new.pub', newPub)]).code).toBe(0);
    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code, check.stdout).toBe(0);
    const show = runCli(['--home', home, 'key', 'show', '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      publicKey: newPub,
      problems: [],
      history: [
        { publicKey: oldPub, fromSize: 0, rotationSeq: null },
        { publicKey: newPub, fromSize: rotationSeq + 1, rotationSeq },
      ],
    });
    expect(runCli(['--home', home, 'key', 'show']).stdout.trim()).toBe(newPub);
  });

  it('a key the auditor does not trust is not followed: log verify --key OTHER fails', () => {
    const other = keyFile('other.pub', formatVerifierKey(verifierOf(generateSigner(oldPub.split('+')[0]))));
    const v = runCli(['log', 'verify', path.join(tmp.dir, 'e2'), '--key', other]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/the key you trust .* is not in the export's key history/);
  });
});

describe('key rotation tampering', () => {
  it('a checkpoint at a size before the rotation, re-signed with the new key: catalog check fails naming it', () => {
    const home = readyHome(path.join(tmp.dir, 'resigned'), ['7654321']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    expect(runCli(['--home', home, 'key', 'rotate']).code).toBe(0);
    const dir = path.join(home, 'checkpoints');
    const names = readdirSync(dir).filter((n) => n.endsWith('.checkpoint')).sort();
    const oldOne = names[0];
    const newKey = parseSignerKey(readFileSync(path.join(home, 'keys', 'station.key'), 'utf8'));
    const body = readFileSync(path.join(dir, oldOne), 'utf8');
    const text = body.slice(0, body.indexOf('\n\n') + 1);
    chmodSync(path.join(dir, oldOne), 0o644);
    writeFileSync(path.join(dir, oldOne), signNote(text, newKey));
    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`^checkpoint checkpoints/${oldOne}: checkpoint signature: note is not signed by a trusted key`, 'm'));
  });

  it('a forged rotation (signed by a key not in the history): log verify --key OLD and catalog check fail naming the entry', async () => {
    const home = readyHome(path.join(tmp.dir, 'forged'), ['7654321']);
    expect(runCli(['--home', home, 'log', 'checkpoint']).code).toBe(0);
    const oldPub = runCli(['--home', home, 'key', 'show']).stdout.trim();
    const station = oldPub.split('+')[0];
    // The service user cannot read the old key (it is with the notary, or lost): it signs the
    // rotation statement with a key of its own and claims the old key as the one replaced.
    const impostor = generateSigner(station);
    const next = generateSigner(station);
    const data = { ...rotationData(impostor, verifierOf(next)), previousKey: oldPub };
    const seq = await appendAsServiceUser(home, 'station.key-rotated', data);
    putKey(home, next);
    const out = path.join(tmp.dir, 'forged-export');
    const exp = runCli(['--home', home, 'log', 'export', '--out', out]);
    expect(exp.code, exp.stderr).toBe(0);
    const v = runCli(['log', 'verify', out, '--key', keyFile('forged-old.pub', oldPub)]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(new RegExp(`key rotation at entry ${seq} is not signed by the previous key ${station}\\+[0-9a-f]{8}.*forged rotation`));
    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`^key {7}key rotation at entry ${seq} is not signed by the previous key`, 'm'));
  });

  it('a key replaced without a rotation on a rotated home: signing refuses (exit 2) and names the rotation', () => {
    const home = readyHome(path.join(tmp.dir, 'replaced'), ['7654321']);
    expect(runCli(['--home', home, 'key', 'rotate']).code).toBe(0);
    const station = runCli(['--home', home, 'key', 'show']).stdout.trim().split('+')[0];
    putKey(home, generateSigner(station));
    const cp = runCli(['--home', home, 'log', 'checkpoint']);
    expect(cp.code).toBe(2);
    expect(cp.stderr).toMatch(/station\.key is not the key the last rotation \(log entry \d+\) names .*evidock key rotate/);
    const check = runCli(['--home', home, 'catalog', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^key {7}the station key .* is not the key the last rotation \(entry \d+\) names .*replaced without a rotation entry/m);
  });

  it('a crash after the rotation entry, before the new key was moved in place: the next checkpoint finishes the rotation', async () => {
    const home = readyHome(path.join(tmp.dir, 'crash'), ['7654321']);
    const keys = path.join(home, 'keys');
    const old = parseSignerKey(readFileSync(path.join(keys, 'station.key'), 'utf8'));
    const next = generateSigner(old.name);
    writeFileSync(path.join(keys, 'station.key.next'), formatSignerKey(next) + '\n', { mode: 0o600 });
    await appendAsServiceUser(home, 'station.key-rotated', { ...rotationData(old, verifierOf(next)) });
    const cp = runCli(['--home', home, 'log', 'checkpoint']);
    expect(cp.code, cp.stderr).toBe(0);
    expect(existsSync(path.join(keys, 'station.key.next'))).toBe(false);
    expect(readFileSync(path.join(keys, 'station.pub'), 'utf8').trim()).toBe(formatVerifierKey(verifierOf(next)));
    expect(runCli(['--home', home, 'catalog', 'check']).code).toBe(0);
  });
});
