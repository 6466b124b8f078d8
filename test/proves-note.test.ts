// Art. 8: what a recording proves is noted later (for a case file), kept as facts, shown by
// `show`, logged, and never edited.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyHome, manifest, runCli, tempDir } from './helpers/evidock.js';

describe('evidock proves', () => {
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  const clip = manifest.files.find((f) => f.recorder === '7654321' && f.cardPath.endsWith('0001.MP4'))!;
  let evidence: string;

  beforeAll(() => {
    readyHome(home, ['7654321']);
    evidence = JSON.parse(runCli(['--home', home, 'show', clip.sha256, '--json']).stdout).evidenceNumber;
  });
  afterAll(() => tmp.cleanup());

  it('notes what a recording proves, by evidence number or SHA-256, and show lists every note in order', () => {
    const first = runCli(['--home', home, 'proves', evidence, '--text', '当事人拒绝检查 (the party refused the inspection)', '--case', 'XZ-2026-031']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`noted for ${evidence}`);
    expect(runCli(['--home', home, 'proves', clip.sha256, '--text', 'also: time of the notice', '--json']).code).toBe(0);
    const shown = JSON.parse(runCli(['--home', home, 'show', evidence, '--json']).stdout);
    expect(shown.proves).toEqual([
      expect.objectContaining({ text: '当事人拒绝检查 (the party refused the inspection)', case: 'XZ-2026-031' }),
      expect.objectContaining({ text: 'also: time of the notice', case: null }),
    ]);
    expect(runCli(['--home', home, 'show', evidence]).stdout).toContain('[case XZ-2026-031]: 当事人拒绝检查');
  });

  it('each note is an audit entry, and the notes cannot be edited or deleted', () => {
    const db = new Database(path.join(home, 'catalog.sqlite'));
    try {
      const entries = db.prepare(`SELECT entry FROM audit_entries WHERE type = 'recording.proves-noted'`).all() as { entry: string }[];
      expect(entries.map((e) => JSON.parse(e.entry).data.evidenceNumber)).toEqual([evidence, evidence]);
      expect(() => db.exec(`UPDATE proves_notes SET text = 'something else'`)).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM proves_notes')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('refuses an unknown recording or an empty text with exit 2, noting nothing', () => {
    const unknown = runCli(['--home', home, 'proves', 'STATION-19990101-000001', '--text', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nothing noted');
    expect(runCli(['--home', home, 'proves', evidence, '--text', '   ']).code).toBe(2);
    expect(runCli(['--home', home, 'proves', evidence]).code).toBe(2);
    expect(JSON.parse(runCli(['--home', home, 'show', evidence, '--json']).stdout).proves).toHaveLength(2);
  });

  it('catalog check still agrees, and catalog rebuild restores the notes from the journal', () => {
    const r = runCli(['--home', home, 'catalog', 'check', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const into = path.join(tmp.dir, 'rebuilt.sqlite');
    const rebuilt = runCli(['--home', home, 'catalog', 'rebuild', '--into', into, '--json']);
    expect(rebuilt.code, rebuilt.stdout + rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout).provesNotes).toBe(2);
    const live = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const copy = new Database(into, { readonly: true });
    try {
      const q = 'SELECT id, evidence_number, text, case_ref, noted_by, noted_at FROM proves_notes ORDER BY id';
      expect(copy.prepare(q).all()).toEqual(live.prepare(q).all());
    } finally {
      live.close();
      copy.close();
    }
  });
});
