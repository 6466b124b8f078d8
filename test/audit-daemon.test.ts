// The daemon's audit duties: journal written as it ingests, a signed checkpoint at shutdown;
// rolling verification re-hashes due objects (throttled) and logs a changed one.
import { chmodSync, openSync, readFileSync, readSync, readdirSync, renameSync, writeSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../src/audit/checkpoint.js';
import { loadStationKey } from '../src/audit/keys.js';
import { attachAuditHome, detachAuditHome } from '../src/audit/log.js';
import { verifierOf } from '../src/audit/note.js';
import { parseConfig } from '../src/config.js';
import { startAuditTasks } from '../src/daemon/audit-tasks.js';
import { openCatalog } from '../src/store/catalog.js';
import { copyFixtureRecorder, DaemonProcess, runCli, tempDir } from './helpers/evidock.js';

const tmp = tempDir('evidock-auditd-');
afterAll(() => tmp.cleanup());
const home = path.join(tmp.dir, 'home');

describe('daemon audit duties', () => {
  it('journals every entry and signs a checkpoint at shutdown', async () => {
    expect(runCli(['--home', home, 'init']).code).toBe(0);
    const daemon = new DaemonProcess(['--home', home]);
    try {
      await daemon.waitFor((l) => l.msg === 'evidock daemon ready');
      const staged = copyFixtureRecorder('7654321', path.join(tmp.dir, 'incoming'));
      renameSync(staged, path.join(home, 'docks', '7654321'));
      await daemon.waitFor((l) => l.msg === 'session ended', 60_000);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    const db = new Database(path.join(home, 'catalog.sqlite'), { readonly: true });
    const entries = db.prepare('SELECT entry FROM audit_entries ORDER BY seq').pluck().all() as string[];
    const last = db.prepare(`SELECT * FROM audit_checkpoints ORDER BY id DESC LIMIT 1`).get() as any;
    db.close();
    expect(JSON.parse(entries[entries.length - 1]).type).toBe('daemon.stopped');
    const journal = readdirSync(path.join(home, 'journal')).sort().flatMap((f) => readFileSync(path.join(home, 'journal', f), 'utf8').trim().split('\n'));
    expect(journal).toEqual(entries);
    expect(last.reason).toBe('shutdown');
    expect(last.size).toBe(entries.length);
    const file = path.join(home, last.file);
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(openCheckpoint(readFileSync(file), verifierOf(loadStationKey(home))).size).toBe(entries.length);
  });

  it('rolling verification re-hashes objects that are due and logs a changed one', async () => {
    const db = openCatalog(path.join(home, 'catalog.sqlite'));
    attachAuditHome(db, home);
    const rows = db.prepare('SELECT * FROM originals ORDER BY evidence_number').all() as any[];
    const bad = rows[0];
    const file = path.join(home, 'store', bad.object_path, bad.content_path);
    chmodSync(path.dirname(file), 0o755);
    chmodSync(file, 0o644);
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 0);
    b[0] ^= 1;
    writeSync(fd, b, 0, 1, 0);
    closeSync(fd);
    const config = parseConfig({ audit: { reverify_days: 90, reverify_mib_per_s: 0, checkpoint_minutes: 0 } });
    const homeObj = { dir: home, store: path.join(home, 'store'), staging: path.join(home, 'staging'), catalog: path.join(home, 'catalog.sqlite'), docks: path.join(home, 'docks') };
    let busy = true;
    const tasks = startAuditTasks({
      db, config, home: homeObj, logger: pino({ level: 'silent' }), actor: { via: 'daemon', user: 'test' },
      busy: () => busy, now: () => new Date(Date.now() + 100 * 86_400_000),
    });
    setTimeout(() => (busy = false), 1500); // paused while "ingest" runs, then goes on
    const t0 = Date.now();
    const checked = await tasks.reverifyOnce();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(checked).toBe(rows.length);
    // Nothing is due any more: a second pass checks nothing.
    expect(await tasks.reverifyOnce()).toBe(0);
    await tasks.stop();
    const failed = db.prepare(`SELECT entry FROM audit_entries WHERE type = 'fixity.failed'`).pluck().all() as string[];
    expect(failed.map((e) => JSON.parse(e).data.evidenceNumber)).toEqual([bad.evidence_number]);
    const oks = db.prepare(`SELECT COUNT(*) FROM fixity_checks WHERE mode = 'full' AND ok = 1`).pluck().get();
    expect(oks).toBe(rows.length - 1);
    detachAuditHome(db);
    db.close();
  });
});
