// The registry and provenance commands through the real CLI (dist/): recorders, officers,
// assign/assignments, ingest, list, show.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, initHome, manifest, runCli, tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-meta-cli-');
const home = path.join(t.dir, 'home');
const cli = (...args: string[]) => runCli(['--home', home, ...args]);
const json = (...args: string[]) => {
  const r = cli(...args, '--json');
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(() => initHome(home));
afterAll(() => t.cleanup());

describe('registry commands', () => {
  it('recorders add|list, and a registration is never edited', () => {
    expect(json('recorders', 'add', 'A9K3F20', '--make', 'Generic', '--model', 'BWC-300', '--usb-serial', 'USB0042')).toMatchObject({ serial: 'A9K3F20', make: 'Generic', usb_serial: 'USB0042' });
    expect(json('recorders', 'add', '1234567', '--make', 'Jingwei', '--model', 'DSJ-JW1', '--registered-at', '2026-01-01').registered_at).toBe('2025-12-31T16:00:00.000Z');
    const again = cli('recorders', 'add', 'a9k3f20');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already registered/);
    expect(json('recorders', 'list').map((r: { serial: string }) => r.serial)).toEqual(['1234567', 'A9K3F20']);
    expect(cli('recorders', 'add', 'bad serial').code).toBe(2);
  });

  it('officers add|list|import (GBK CSV; unchanged rows pass, conflicting and bad rows are rejected)', () => {
    expect(cli('officers', 'add', '010203', '--name', '王五').code).toBe(0);
    const csv = path.join(t.dir, 'officers.csv');
    const text = 'number,name,unit\r\n010203,王五,\r\n030405,张三,320102000000\r\n040506,李四,320102000000\r\n050607,"Zhao, Liu",\r\n,nameless,\r\n';
    writeFileSync(csv, Buffer.from(new TextEncoder().encode(text)));
    const r = cli('officers', 'import', csv, '--json');
    expect(r.code).toBe(1); // one row rejected
    const result = JSON.parse(r.stdout);
    expect(result.added).toEqual(['030405', '040506', '050607']);
    expect(result.unchanged).toEqual(['010203']);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0].line).toBe(6);
    const gbk = path.join(t.dir, 'gbk.csv');
    writeFileSync(gbk, Buffer.from([...Buffer.from('number,name\n060708,'), 0xd5, 0xc5, 0xc8, 0xfd, 0x0a])); // 张三 in GBK
    expect(cli('officers', 'import', gbk).code).toBe(0);
    const conflict = path.join(t.dir, 'conflict.csv');
    writeFileSync(conflict, 'number,name\n030405,Someone Else\n');
    const c = cli('officers', 'import', conflict, '--json');
    expect(c.code).toBe(1);
    expect(JSON.parse(c.stdout).rejected[0].reason).toMatch(/already registered as 张三/);
    const officers = json('officers', 'list');
    expect(officers.find((o: { number: string }) => o.number === '060708').name).toBe('张三');
    expect(cli('officers', 'import', path.join(t.dir, 'missing.csv')).code).toBe(2);
  });

  it('assign, a correction, and the history', () => {
    const first = json('assign', 'A9K3F20', '040506', '--from', '2026-03-16', '--to', '2026-03-17');
    expect(first).toMatchObject({ recorder_serial: 'A9K3F20', officer_number: '040506', from: '2026-03-16T00:00:00+08:00', to: '2026-03-17T00:00:00+08:00' });
    const fix = json('assign', 'a9k3f20', '030405', '--from', '2026-03-16 00:00', '--to', '2026-03-17T00:00:00+08:00', '--corrects', String(first.id), '--reason', 'wrong officer entered');
    expect(fix.supersedes).toBe(first.id);
    const overlap = cli('assign', '1234567', '010203', '--from', '2026-03-01', '--json');
    expect(overlap.code).toBe(0);
    const over2 = cli('assign', '1234567', '030405', '--from', '2026-03-10', '--to', '2026-03-11', '--json');
    expect(over2.code).toBe(0);
    expect(JSON.parse(over2.stdout).overlaps).toEqual([JSON.parse(overlap.stdout).id]);
    expect(over2.stderr).toMatch(/warning: overlaps assignment #\d+ \(010203/);
    const twice = cli('assign', 'A9K3F20', '010203', '--from', '2026-03-16', '--corrects', String(first.id));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/already corrected by #/);
    const history = json('assignments', '--recorder', 'A9K3F20');
    expect(history.map((a: { id: number; supersededBy: number | null }) => [a.id, a.supersededBy])).toEqual([[first.id, fix.id], [fix.id, null]]);
    const unregistered = cli('assign', '7654321', '030405', '--from', '2026-03-01');
    expect(unregistered.code).toBe(2);
    expect(unregistered.stderr).toMatch(/recorders add 7654321/);
    expect(cli('assign', 'A9K3F20', '030405', '--from', 'yesterday').code).toBe(2);
    expect(cli('assign', 'A9K3F20', '030405', '--from', '2026-03-17', '--to', '2026-03-16').code).toBe(2);
  });
});

describe('provenance commands after an ingest', () => {
  it('ingest, list, show', () => {
    const r = cli('ingest', path.join(fixturesDir, 'A9K3F20'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const listed = json('list');
    const files = manifest.files.filter((f) => f.recorder === 'A9K3F20');
    expect(listed).toHaveLength(files.length);
    const clip = listed.find((l: { fileName: string }) => l.fileName === '2026_0316_140000_001.MP4');
    expect(clip).toMatchObject({ recorder: 'A9K3F20', officer: '030405', recordedStart: '2026-03-16T14:00:00+08:00', durationSeconds: 2, kind: 'video' });
    expect(json('list', '--officer', '030405')).toHaveLength(3); // the log has no time, so no assignment
    expect(json('list', '--from', '2026-03-16 14:05', '--to', '2026-03-16 14:10').map((l: { fileName: string }) => l.fileName)).toEqual(['2026_0316_140530_002.JPG']);

    const shown = json('show', clip.evidenceNumber);
    expect(shown).toMatchObject({
      evidenceNumber: clip.evidenceNumber,
      method: 'body-worn recorder Generic BWC-300',
      recorded: { start: '2026-03-16T14:00:00+08:00', end: '2026-03-16T14:00:02+08:00', durationSeconds: 2 },
      recorder: { id: 'A9K3F20', make: 'Generic', model: 'BWC-300' },
      officer: { id: '030405', name: '张三', source: 'assignment' },
      media: { available: true, videoCodec: 'h264', audioCodec: 'aac', width: 320, height: 240, frameRate: 15 },
      digests: { sha256: files.find((f) => f.cardPath.endsWith('_001.MP4'))!.sha256 },
    });
    expect(json('show', clip.sha256).evidenceNumber).toBe(clip.evidenceNumber);
    const text = cli('show', clip.evidenceNumber);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/officer\s+030405 张三 \(from assignment\)/);

    const cut = listed.find((l: { fileName: string }) => l.fileName === '2026_0316_141000_003.MP4');
    const cutShown = json('show', cut.evidenceNumber);
    expect(cutShown.media).toMatchObject({ available: false });
    expect(cutShown.media.reason).toMatch(/moov atom not found/);
    expect(cutShown.flags.map((f: { code: string }) => f.code)).toContain('metadata-unavailable');

    const missing = cli('show', 'STATION-20990101-000001');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no held recording/);
  });

  it('a catalog rebuilt from the store alone has the same provenance', () => {
    const into = path.join(t.dir, 'rebuilt.sqlite');
    const r = cli('catalog', 'rebuild', '--into', into, '--json');
    expect(r.stderr).not.toMatch(/TypeError/);
    const result = JSON.parse(r.stdout);
    expect(result.provenance).toBe(result.originals);
    const live = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const rebuilt = new Database(into, { readonly: true });
    const rows = (db: Database.Database) =>
      (db.prepare('SELECT * FROM provenance ORDER BY evidence_number').all() as Record<string, unknown>[]).map(({ derived_at: _d, ...rest }) => rest);
    expect(rows(rebuilt)).toEqual(rows(live));
    for (const table of ['recorders', 'officers', 'assignments']) {
      const all = (db: Database.Database) => db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();
      expect(all(rebuilt), table).toEqual(all(live));
    }
    expect(result.registry.assignments).toBeGreaterThan(2);
    live.close();
    rebuilt.close();
  });
});
