// A recorder folder built to hurt: odd names, a symlink to /etc/passwd, a fifo, an empty file,
// a GBK name. Nothing crashes, nothing is read through the link, nothing lands outside the
// store, every skip is logged, the empty file is held.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome, runCli, tempDir } from './helpers/evidock.js';

describe('hostile recorder folder', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const card = path.join(tmp.dir, 'card');
  const gbkName = Buffer.concat([Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from('.MP4')]); // 张三.MP4 in GBK
  let result: ReturnType<typeof runCli>;
  let db: Database.Database;

  beforeAll(() => {
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    writeFileSync(path.join(card, 'DCIM', '..'.concat('\\..\\evil.MP4')), 'backslash dots');
    writeFileSync(path.join(card, '...'), 'three dots');
    writeFileSync(path.join(card, 'DCIM', 'line\nbreak\u001b[31m.MP4'), 'control characters');
    writeFileSync(path.join(card, 'empty.MP4'), '');
    writeFileSync(Buffer.concat([Buffer.from(path.join(card, 'DCIM') + '/'), gbkName]), 'gbk name');
    writeFileSync(path.join(card, 'provenance.json'), '{"forged": true}');
    symlinkSync('/etc/passwd', path.join(card, 'passwd.MP4'));
    symlinkSync('/etc', path.join(card, 'etc-dir'));
    execFileSync('mkfifo', [path.join(card, 'pipe.MP4')]);
    initHome(home);
    result = runCli(['--home', home, 'ingest', card, '--json']);
    db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  it('finishes without crashing and holds every regular file, the empty one included', () => {
    expect(result.stderr).not.toMatch(/TypeError|RangeError|at .*\.js:\d+/);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('done');
    expect(summary.held).toBe(6);
    expect(summary.failed).toBe(0);
    const empty = db.prepare(`SELECT * FROM originals WHERE source_path = 'empty.MP4'`).get() as any;
    expect(empty.size).toBe(0);
    expect(empty.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const gbk = db.prepare('SELECT * FROM originals WHERE source_path_raw = ?').get(Buffer.concat([Buffer.from('DCIM/'), gbkName])) as any;
    expect(gbk.source_path).toBe('DCIM/张三.MP4');
  });

  it('skips the symlinks and the fifo, logging each, and reads nothing through them', () => {
    const skipped = db.prepare(`SELECT source_path, kind, reason FROM sightings WHERE outcome = 'skipped' ORDER BY source_path`).all() as any[];
    expect(skipped.map((s) => [s.source_path, s.kind])).toEqual([
      ['etc-dir', 'symlink'],
      ['passwd.MP4', 'symlink'],
      ['pipe.MP4', 'fifo'],
    ]);
    const audit = db.prepare(`SELECT COUNT(*) AS n FROM audit_entries WHERE type = 'file.skipped'`).get() as any;
    expect(audit.n).toBe(3);
    const passwd = readFileSync('/etc/passwd');
    const held = db.prepare('SELECT sha256 FROM originals').all() as any[];
    const passwdSha = execFileSync('sha256sum', ['/etc/passwd']).toString().split(' ')[0];
    expect(held.map((h) => h.sha256)).not.toContain(passwdSha);
    expect(passwd.length).toBeGreaterThan(0);
  });

  it('writes nothing outside the home, and a card file named provenance.json does not replace ours', () => {
    expect(readdirSync(tmp.dir).sort()).toEqual(['card', 'home']);
    expect(readdirSync(path.join(home, 'staging'))).toEqual([]);
    const forged = db.prepare(`SELECT * FROM originals WHERE source_path = 'provenance.json'`).get() as any;
    expect(forged.content_path).toBe('v1/content/provenance%2Ejson');
    const ours = JSON.parse(readFileSync(path.join(home, 'store', forged.object_path, 'v1', 'content', 'provenance.json'), 'utf8'));
    expect(ours.evidenceNumber).toBe(forged.evidence_number);
    const control = db.prepare(`SELECT * FROM originals WHERE source_path LIKE 'DCIM/line%'`).get() as any;
    expect(control.source_path).toBe('DCIM/line\\x0abreak\\x1b[31m.MP4');
    expect(control.content_path).toBe('v1/content/line%0Abreak%1B[31m.MP4');
  });
});
