// With hash.sm3 = true every original also carries its SM3 digest (GB/T 32905) in the catalog
// and provenance.json, computed over the bytes written; the OCFL inventory stays within OCFL's
// digest vocabulary (SM3 is not in it).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixtureRecorder, initHome, manifest, runCli, tempDir } from './helpers/evidock.js';

describe('SM3 digests', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('are held for every original, equal to SM3 of the fixture bytes', () => {
    const home = path.join(tmp.dir, 'home');
    mkdirSync(home);
    writeFileSync(path.join(home, 'evidock.toml'), '[hash]\nsm3 = true\n');
    const card = copyFixtureRecorder('A9K3F20', path.join(tmp.dir, 'card'));
    initHome(home);
    const r = runCli(['--home', home, 'ingest', card, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT * FROM originals').all() as any[];
    db.close();
    const files = manifest.files.filter((f) => f.recorder === 'A9K3F20');
    expect(rows).toHaveLength(files.length);
    for (const f of files) {
      const row = rows.find((x) => x.source_path === f.cardPath);
      const sm3 = createHash('sm3').update(readFileSync(path.join(card, f.cardPath))).digest('hex');
      expect(row.sm3, f.cardPath).toBe(sm3);
      const objectRoot = path.join(home, 'store', row.object_path);
      const provenance = JSON.parse(readFileSync(path.join(objectRoot, 'v1', 'content', 'provenance.json'), 'utf8'));
      expect(provenance.digests).toEqual({ sha256: f.sha256, sm3 });
      const inventory = JSON.parse(readFileSync(path.join(objectRoot, 'inventory.json'), 'utf8'));
      expect(Object.keys(inventory.fixity ?? {})).not.toContain('sm3');
    }
  });
});
