// A session whose hold fails (the S3 gateway down, a full disk) stops the describe steps of the
// copies it lets go, and ends after them: none reads a staged copy or the catalog after the
// session, when the station may have closed it ("The database connection is not open" in the CI
// run of 60c6a9e, where a read left waiting also kept `evidock ingest` from ever exiting).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { ingestRecorder, originalsOf, type IngestContext } from '../src/ingest/session.js';
import { openCatalog } from '../src/store/catalog.js';
import { prepareOriginalsStore } from '../src/store/open-originals.js';
import { tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-failed-hold-');
afterAll(() => t.cleanup());

describe('a session whose hold fails', () => {
  it('stops the describe steps of the copies it let go: none reads the catalog after the session', async () => {
    const { config, home } = loadConfig({ home: path.join(t.dir, 'home') });
    prepareHome(home);
    prepareOriginalsStore(home.store);
    const db = openCatalog(home.catalog);
    const root = path.join(t.dir, 'card');
    mkdirSync(path.join(root, 'DCIM'), { recursive: true });
    for (let i = 1; i <= 6; i++) writeFileSync(path.join(root, 'DCIM', `A_000${i}.MP4`), `clip ${i}`);
    let started = 0;
    let catalogReadsAfterClose = 0;
    const base: IngestContext = { db, config, home, logger: pino({ level: 'silent' }), actor: currentActor('cli') };
    const door = originalsOf(base);
    const refuse = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    const ctx: IngestContext = {
      ...base,
      // the real local door, except that every hold is refused
      originals: new Proxy(door, {
        get: (target, key) => (key === 'hold' || key === 'holdMany' ? refuse : typeof Reflect.get(target, key) === 'function' ? Reflect.get(target, key).bind(target) : Reflect.get(target, key)),
      }),
      // a slow metadata read (later files slower), then the catalog, as the real step does
      describe: async (file) => {
        started++;
        await new Promise<void>((done) => {
          const timer = setTimeout(done, 400 * started);
          file.signal?.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
        });
        file.signal?.throwIfAborted();
        try {
          db.prepare('SELECT count(*) FROM originals').get();
        } catch {
          catalogReadsAfterClose++;
        }
        return null;
      },
    };
    try {
      const summary = await ingestRecorder(ctx, { root, recorderId: 'REC-1' });
      expect(summary.held).toBe(0);
      expect(summary.status).not.toBe('done');
      expect(started).toBeGreaterThan(0);
      expect(summary.problems.map((p) => p.reason).join('\n')).toMatch(/ECONNREFUSED/);
    } finally {
      db.close();
    }
    await new Promise((r) => setTimeout(r, 6 * 400 + 200));
    expect(catalogReadsAfterClose, 'describe steps read the catalog after the session had ended and it was closed').toBe(0);
  });
});
