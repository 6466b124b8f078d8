// The session's stages with an injected describe step: provenance is derived once per staged
// file and travels on the item; a describe step that fails never blocks the hold, and its
// reason is kept in the object's provenance.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { ingestRecorder, originalsOf, type IngestContext } from '../src/ingest/session.js';
import { openCatalog } from '../src/store/catalog.js';
import { prepareOriginalsStore } from '../src/store/open-originals.js';
import { findProvenance } from '../src/store/provenance.js';
import { listOriginals } from '../src/store/records.js';
import { tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-pipeline-');
afterAll(() => t.cleanup());

function card(name: string, files: Record<string, string>): string {
  const root = path.join(t.dir, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), text);
  }
  return root;
}

describe('the describe step', () => {
  it('runs once per staged file; when it throws, every file is still held, with the reason in provenance.json', async () => {
    const { config, home } = loadConfig({ home: path.join(t.dir, 'home') });
    prepareHome(home);
    prepareOriginalsStore(home.store);
    const db = openCatalog(home.catalog);
    const described: string[] = [];
    const ctx: IngestContext = {
      db,
      config,
      home,
      logger: pino({ level: 'silent' }),
      actor: currentActor('cli'),
      describe: async (file) => {
        described.push(file.source.path);
        throw new Error('metadata reader crashed');
      },
    };
    try {
      const root = card('card', { 'DCIM/A_0001.MP4': 'one', 'DCIM/A_0002.MP4': 'two', 'NOTE.TXT': 'three' });
      const summary = await ingestRecorder(ctx, { root, recorderId: 'REC-1' });
      expect(summary).toMatchObject({ status: 'done', held: 3, failed: 0 });
      expect(described.sort()).toEqual(['DCIM/A_0001.MP4', 'DCIM/A_0002.MP4', 'NOTE.TXT']);
      const store = originalsOf(ctx);
      for (const o of listOriginals(db)) {
        expect((await store.readProvenance(o)).derived).toEqual({ unavailable: true, reason: 'metadata reader crashed' });
        expect(findProvenance(db, o.evidence_number)).toBeUndefined();
        const fh = await store.openContent(o);
        try {
          expect((await fh.readFile()).toString()).toBe(readFileSync(path.join(root, o.source_path), 'utf8'));
        } finally {
          await fh.close();
        }
      }
    } finally {
      db.close();
    }
  });
});

