// The station's writer gate (src/ingest/writer-gate.ts): a recorder that has copied nothing yet
// goes before recorders that have (fair start); the limit steps up while that raises the bytes
// written per second and goes back when a step does not; the copy buffers stay within their
// memory budget; a recorder pulled while it waits leaves the queue. And two real sessions share
// one station gate: with one place, their copies never overlap.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import { loadConfig, prepareHome } from '../src/home.js';
import { ingestRecorder, type IngestContext } from '../src/ingest/session.js';
import { WriterGate, type WriterPlace } from '../src/ingest/writer-gate.js';
import { openCatalog } from '../src/store/catalog.js';
import { initStorageRoot } from '../src/store/ocfl.js';
import { tempDir } from './helpers/evidock.js';

const MiB = 1024 * 1024;
const t = tempDir('evidock-writer-gate-');
afterAll(() => t.cleanup());

describe('the writer gate', () => {
  it('gives a freed place to a recorder that has copied nothing before those that have, then by arrival', async () => {
    const gate = new WriterGate({ initial: 1, min: 1, max: 1 });
    const first = await gate.acquire(true);
    const order: string[] = [];
    const wait = (name: string, started: boolean) => gate.acquire(started).then((p) => (order.push(name), p));
    const a = wait('A started', true);
    const c = wait('C started', true);
    const b = wait('B new', false);
    const d = wait('D new', false);
    first.release();
    (await b).release();
    (await d).release();
    (await a).release();
    (await c).release();
    expect(order).toEqual(['B new', 'D new', 'A started', 'C started']);
    expect(gate.writing).toBe(0);
  });

  it('steps the limit up while waiting copies raise the bytes written, and back when a step does not pay', async () => {
    let now = 0;
    const gate = new WriterGate({ initial: 4, min: 1, max: 64, windowMs: 1000, minGain: 0.05, now: () => now });
    const places: WriterPlace[] = [];
    for (let i = 0; i < 4; i++) places.push(await gate.acquire(true));
    const waiting = gate.acquire(false); // demand above the limit
    // window 1: 4 writers at 40 MB/s each
    now += 1000;
    places[0].wrote(160e6);
    expect(gate.limit).toBe(5);
    places.push(await waiting);
    // window 2: the fifth writer added its 40 MB/s: the step paid, the next one is taken
    void gate.acquire(false);
    now += 1000;
    places[0].wrote(200e6);
    expect(gate.limit).toBe(7);
    // window 3: no more bytes with more writers (the disk is full): back to 5, held there
    now += 1000;
    places[0].wrote(201e6);
    expect(gate.limit).toBe(5);
    for (let w = 0; w < 5; w++) {
      now += 1000;
      places[0].wrote(200e6);
      expect(gate.limit).toBe(5);
    }
  });

  it('keeps all copy buffers within the memory budget: smaller buffers when many may write', async () => {
    const few = new WriterGate({ initial: 4, max: 64, bufferBytes: 8 * MiB, memoryBudget: 256 * MiB });
    expect(few.bufferSize()).toBe(8 * MiB);
    const many = new WriterGate({ initial: 32, max: 64, bufferBytes: 8 * MiB, memoryBudget: 256 * MiB });
    expect(many.bufferSize()).toBe(2 * MiB);
    const place = await many.acquire(false);
    expect(place.buffers.size).toBe(2 * MiB);
    place.release();
  });

  it('a recorder pulled while it waits leaves the queue; the place goes to the next', async () => {
    const gate = new WriterGate({ initial: 1, min: 1, max: 1 });
    const held = await gate.acquire(false);
    const controller = new AbortController();
    const pulled = gate.acquire(false, controller.signal);
    const next = gate.acquire(true);
    controller.abort(new Error('recorder removed'));
    await expect(pulled).rejects.toThrow('recorder removed');
    expect(gate.queued).toBe(1);
    held.release();
    (await next).release();
    expect(gate.writing).toBe(0);
  });
});

describe('sessions sharing a station gate', () => {
  it('with one place, two recorders copying at once never write two files at the same time, and all are held', async () => {
    const { config, home } = loadConfig({ home: path.join(t.dir, 'home') });
    prepareHome(home);
    initStorageRoot(home.store);
    const db = openCatalog(home.catalog);
    let writing = 0;
    let most = 0;
    class CountingGate extends WriterGate {
      override async acquire(started: boolean, signal?: AbortSignal): Promise<WriterPlace> {
        const place = await super.acquire(started, signal);
        most = Math.max(most, ++writing);
        return { ...place, release: () => (writing--, place.release()) };
      }
    }
    const ctx: IngestContext = { db, config, home, logger: pino({ level: 'silent' }), actor: currentActor('cli'), writers: new CountingGate({ initial: 1, min: 1, max: 1 }), describe: async () => null };
    const card = (name: string) => {
      const root = path.join(t.dir, name);
      mkdirSync(path.join(root, 'DCIM'), { recursive: true });
      for (let i = 0; i < 3; i++) writeFileSync(path.join(root, 'DCIM', `${name}_${i}.MP4`), randomBytes(3 * MiB + i));
      return root;
    };
    const [a, b] = await Promise.all([ingestRecorder(ctx, { root: card('A'), recorderId: 'A' }), ingestRecorder(ctx, { root: card('B'), recorderId: 'B' })]);
    db.close();
    expect([a.held, b.held, a.failed, b.failed]).toEqual([3, 3, 0, 0]);
    expect(most).toBe(1);
  });
});
