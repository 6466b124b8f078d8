// Issue 5's tamper cases, each detected by the named command with nothing else needed, plus
// init/key, proofs, and rebuild. Runs the real CLI on a real home.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldOriginals, readyHome, runCli, tempDir, unlockForTamper } from './helpers/evidock.js';

const tmp = tempDir('evidock-audit-');
afterAll(() => tmp.cleanup());

const newHome = (name: string, recorders: string[]) => readyHome(path.join(tmp.dir, name), recorders);
const originals = heldOriginals;

const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe('station key', () => {
  it('init makes a 0600 private key; key show prints the verifier key; init again keeps it', () => {
    const home = path.join(tmp.dir, 'keyhome');
    const r = runCli(['--home', home, 'init', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out.keyCreated).toBe(true);
    expect(statSync(path.join(home, 'keys', 'station.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(home, 'keys', 'station.pub')).mode & 0o777).toBe(0o444);
    const show = runCli(['--home', home, 'key', 'show']);
    expect(show.code).toBe(0);
    expect(show.stdout.trim()).toBe(out.publicKey);
    expect(show.stdout).toMatch(/^STATION\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/);
    expect(json(runCli(['--home', home, 'init', '--json'])).keyCreated).toBe(false);
    expect(readFileSync(path.join(home, 'keys', 'station.key'), 'utf8')).not.toContain(out.publicKey.split('+').slice(2).join('+')); // the whole base64 part, which may itself hold '+'
  });
});

describe('fixity tamper cases (evidock verify)', () => {
  let home: string;
  let rows: ReturnType<typeof originals>;
  beforeAll(() => {
    home = newHome('fixity', ['7654321', 'A9K3F20']);
    rows = originals(home);
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it('clean store: quick and full both exit 0; the runs are logged', () => {
    expect(runCli(['--home', home, 'verify', '--quick']).code).toBe(0);
    const full = runCli(['--home', home, 'verify', '--jobs', '2', '--json']);
    expect(full.code, full.stderr).toBe(0);
    expect(json(full)).toMatchObject({ ok: true, mode: 'full', jobs: 2, checked: rows.length });
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const runs = db.prepare(`SELECT entry FROM audit_entries WHERE type = 'verify.run'`).pluck().all() as string[];
    const checks = db.prepare('SELECT COUNT(*) FROM fixity_checks').pluck().get() as number;
    db.close();
    expect(runs.map((e) => JSON.parse(e).data.mode)).toEqual(['quick', 'full']);
    expect(checks).toBe(2 * rows.length);
  });

  it('a byte flipped in a held file: verify (full) names it; quick cannot see it', () => {
    const row = rows[0];
    const file = path.join(home, 'store', row.object_path, row.content_path);
    unlockForTamper(path.dirname(file));
    unlockForTamper(file);
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 10);
    b[0] ^= 0x20;
    writeSync(fd, b, 0, 1, 10);
    closeSync(fd);
    expect(runCli(['--home', home, 'verify', '--quick', '--object', row.evidence_number]).code).toBe(0);
    const r = runCli(['--home', home, 'verify', '--object', row.evidence_number, '--json']);
    expect(r.code).toBe(1);
    expect(json(r).changed).toEqual([expect.objectContaining({ evidenceNumber: row.evidence_number, problem: 'content digest changed' })]);
  });

  it('a file truncated: verify --quick names it', () => {
    const row = rows[1];
    const file = path.join(home, 'store', row.object_path, row.content_path);
    unlockForTamper(path.dirname(file));
    unlockForTamper(file);
    truncateSync(file, Math.floor(row.size / 2));
    const r = runCli(['--home', home, 'verify', '--quick', '--json']);
    expect(r.code).toBe(1);
    expect(json(r).changed).toContainEqual(expect.objectContaining({ evidenceNumber: row.evidence_number, problem: 'size changed', expected: String(row.size) }));
  });

  it('an object directory removed: verify --quick reports it missing', () => {
    const row = rows[2];
    const dir = path.join(home, 'store', row.object_path);
    spawnChmod(dir);
    rmSync(dir, { recursive: true, force: true });
    const r = runCli(['--home', home, 'verify', '--quick', '--json']);
    expect(r.code).toBe(1);
    expect(json(r).missing).toEqual([expect.objectContaining({ evidenceNumber: row.evidence_number })]);
  });

  it('a stray object added: verify reports it untracked', () => {
    const src = path.join(home, 'store', rows[3].object_path);
    const stray = path.join(home, 'store', 'fff', 'fff', 'fff', 'f'.repeat(64));
    mkdirSync(path.dirname(stray), { recursive: true });
    cpSync(src, stray, { recursive: true });
    const r = runCli(['--home', home, 'verify', '--quick', '--json']);
    expect(r.code).toBe(1);
    expect(json(r).untracked).toContainEqual(expect.objectContaining({ path: path.join('fff', 'fff', 'fff', 'f'.repeat(64)), problem: 'object not in the catalog' }));
  });

  it('--since and --object select; an unknown object is exit 1', () => {
    const r = runCli(['--home', home, 'verify', '--quick', '--since', '2999-01-01', '--json']);
    expect(json(r).checked).toBe(0);
    const u = runCli(['--home', home, 'verify', '--quick', '--object', 'NO-SUCH', '--json']);
    expect(u.code).toBe(1);
    expect(json(u).notFound).toEqual(['NO-SUCH']);
    expect(runCli(['--home', home, 'verify', '--jobs', 'x']).code).toBe(2);
  });
});

function spawnChmod(dir: string) {
  const walk = (d: string) => {
    chmodSync(d, 0o755);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
}

describe('audit log tamper cases', () => {
  let home: string;
  let exp1: string;
  let pub: string;
  beforeAll(() => {
    home = newHome('log', ['1234567']);
    exp1 = path.join(tmp.dir, 'export-1');
    const r = runCli(['--home', home, 'log', 'export', '--out', exp1, '--json']);
    expect(r.code, r.stderr).toBe(0);
    pub = path.join(tmp.dir, 'station.pub');
    writeFileSync(pub, runCli(['--home', home, 'key', 'show']).stdout);
  });

  it('a clean export verifies offline (no home, no database)', () => {
    const r = runCli(['log', 'verify', exp1, '--key', pub], { cwd: tmp.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(path.join(tmp.dir, 'var'))).toBe(false);
    for (const f of ['entries.jsonl', 'entries.csv', 'checkpoint', 'range-proof.json', 'station.pub', 'manifest.json']) expect(existsSync(path.join(exp1, f)), f).toBe(true);
  });

  it('an export with one line edited: log verify exits 1 naming the entry', () => {
    const dir = path.join(tmp.dir, 'export-edited');
    cpSync(exp1, dir, { recursive: true });
    const file = path.join(dir, 'entries.jsonl');
    unlockForTamper(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    const k = 3;
    lines[k] = lines[k].replace(/"user":"[^"]*"/, '"user":"someone-else"');
    writeFileSync(file, lines.join('\n'));
    const r = runCli(['log', 'verify', dir, '--key', pub]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`BROKEN  entry ${k} \\(line ${k + 1}\\)`));
  });

  it('a checkpoint signed by another key: log verify --key exits 1', () => {
    const other = newHome('other', []);
    const dir = path.join(tmp.dir, 'export-other-key');
    cpSync(exp1, dir, { recursive: true });
    // Re-sign the same checkpoint text with the other station's key.
    const otherExp = path.join(tmp.dir, 'export-of-other');
    expect(runCli(['--home', other, 'log', 'export', '--out', otherExp]).code).toBe(0);
    unlockForTamper(path.join(dir, 'checkpoint'));
    unlockForTamper(path.join(dir, 'station.pub'));
    writeFileSync(path.join(dir, 'checkpoint'), readFileSync(path.join(otherExp, 'checkpoint')));
    writeFileSync(path.join(dir, 'station.pub'), readFileSync(path.join(otherExp, 'station.pub')));
    const r = runCli(['log', 'verify', dir, '--key', pub]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not signed by a trusted key/);
  });

  it('an entry changed in the database behind dropped triggers: the next export fails log verify against the previous one, and catalog check names it', () => {
    const db = new Database(path.join(home, 'catalog.sqlite'));
    db.exec('DROP TRIGGER audit_entries_no_update');
    const seq = db.prepare(`SELECT seq FROM audit_entries WHERE type = 'file.held' ORDER BY seq LIMIT 1`).pluck().get() as number;
    db.prepare(`UPDATE audit_entries SET entry = replace(entry, '"sha256":"', '"sha256":"0') WHERE seq = ?`).run(seq);
    db.close();
    const exp2 = path.join(tmp.dir, 'export-2');
    expect(runCli(['--home', home, 'log', 'export', '--out', exp2]).code).toBe(0);
    const r = runCli(['log', 'verify', exp2, '--previous', exp1, '--key', pub, '--json']);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out.problems[0]).toMatchObject({ seq });
    expect(out.problems.map((p: any) => p.message).join('\n')).toMatch(new RegExp(`entry ${seq} differs from the previous export`));
    const c = runCli(['--home', home, 'catalog', 'check', '--json']);
    expect(c.code).toBe(1);
    expect(json(c).entries).toContainEqual(expect.objectContaining({ seq, problem: expect.stringMatching(/edited behind the triggers/) }));
  });
});

describe('journal, proofs and rebuild', () => {
  let home: string;
  beforeAll(() => {
    home = newHome('journal', ['1234567', '7654321']);
  });

  it('every entry is in the journal, in order', () => {
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const entries = db.prepare('SELECT entry FROM audit_entries ORDER BY seq').pluck().all() as string[];
    db.close();
    const files = readdirSync(path.join(home, 'journal')).sort();
    const lines = files.flatMap((f) => readFileSync(path.join(home, 'journal', f), 'utf8').trim().split('\n'));
    expect(lines).toEqual(entries);
  });

  it('log proof writes a bundle that verify-proof accepts offline; a changed bundle is refused', () => {
    const row = originals(home)[0];
    const file = path.join(tmp.dir, 'proof.json');
    const r = runCli(['--home', home, 'log', 'proof', row.evidence_number, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const pub = path.join(tmp.dir, 'journal.pub');
    writeFileSync(pub, runCli(['--home', home, 'key', 'show']).stdout);
    expect(runCli(['log', 'verify-proof', file, '--key', pub]).code).toBe(0);
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    const forged = { ...bundle, entry: bundle.entry.replace(row.evidence_number, row.evidence_number + 'X'), leafHash: undefined };
    writeFileSync(path.join(tmp.dir, 'forged.json'), JSON.stringify(forged));
    expect(runCli(['log', 'verify-proof', path.join(tmp.dir, 'forged.json'), '--key', pub]).code).toBe(1);
    expect(runCli(['--home', home, 'log', 'proof', 'NO-SUCH-NUMBER']).code).toBe(1);
  });

  it('delete the catalog, rebuild, compare: same originals, same provenance, same log', () => {
    const catalog = path.join(home, 'catalog.sqlite');
    const before = new Database(catalog, { readonly: true });
    const o1 = before.prepare('SELECT * FROM originals ORDER BY evidence_number').all();
    const e1 = before.prepare('SELECT seq, at, type, entry, leaf_hash FROM audit_entries ORDER BY seq').all();
    const root1 = before.prepare('SELECT hash FROM audit_tree ORDER BY level DESC, idx LIMIT 1').pluck().get();
    before.close();
    for (const f of [catalog, catalog + '-wal', catalog + '-shm']) rmSync(f, { force: true });
    const rebuilt = path.join(tmp.dir, 'rebuilt.sqlite');
    const r = runCli(['--home', home, 'catalog', 'rebuild', '--into', rebuilt, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = new Database(rebuilt, { readonly: true });
    const o2 = after.prepare('SELECT * FROM originals ORDER BY evidence_number').all();
    const e2 = after.prepare('SELECT seq, at, type, entry, leaf_hash FROM audit_entries ORDER BY seq').all();
    const root2 = after.prepare('SELECT hash FROM audit_tree ORDER BY level DESC, idx LIMIT 1').pluck().get();
    const cps = after.prepare('SELECT COUNT(*) FROM audit_checkpoints').pluck().get();
    after.close();
    expect(cps).toBe(readdirSync(path.join(home, 'checkpoints')).length);
    expect(o2).toEqual(o1);
    expect(e2).toEqual(e1);
    expect(root2).toEqual(root1);
    // Put it back as the live catalog: catalog check agrees with the store and the journal.
    cpSync(rebuilt, catalog);
    const c = runCli(['--home', home, 'catalog', 'check']);
    expect(c.code, c.stdout).toBe(0);
  });

  it('an entry removed from a journal file: catalog check and catalog rebuild report the gap', () => {
    const dir = path.join(home, 'journal');
    const f = path.join(dir, readdirSync(dir).sort()[0]);
    unlockForTamper(f);
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.splice(4, 1);
    writeFileSync(f, lines.join('\n'));
    const c = runCli(['--home', home, 'catalog', 'check', '--json']);
    expect(c.code).toBe(1);
    const out = json(c);
    expect(out.journalProblems).toContainEqual(expect.objectContaining({ seq: 4, problem: expect.stringMatching(/missing from the journal/) }));
    expect(out.entries).toContainEqual(expect.objectContaining({ seq: 4, problem: 'in the catalog but not in the journal' }));
    const r = runCli(['--home', home, 'catalog', 'rebuild', '--into', path.join(tmp.dir, 'rebuilt-2.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/entries 4\.\.4 are missing from the journal/);
  });
});
