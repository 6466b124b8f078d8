// What a slot shows when its card goes away mid-copy (issue 11): the session's last commits
// still finish after the unplug, but the slot shows no "copying" or "done" for them; its next and
// last state is how the session ended ("interrupted: dock the recorder again to finish").
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { currentActor } from '../src/audit/log.js';
import type { RecorderDocked } from '../src/dock/events.js';
import { loadConfig } from '../src/home.js';
import { runDocking, type SlotUpdate } from '../src/ingest/docking.js';
import { openStation } from '../src/ingest/station.js';
import { tempDir } from './helpers/evidock.js';

const t = tempDir('evidock-unplug-slot-');
afterAll(() => t.cleanup());
const silent = pino({ level: 'silent' });
const MiB = 1024 * 1024;

/** A card of four 6 MiB files (several copy buffers each, so the unplug lands mid-file). */
function card(name: string): string {
  const dir = path.join(t.dir, name);
  mkdirSync(path.join(dir, 'DCIM'), { recursive: true });
  for (const f of ['A.MP4', 'B.MP4', 'C.MP4', 'D.MP4']) writeFileSync(path.join(dir, 'DCIM', f), randomBytes(6 * MiB));
  return dir;
}

/**
 * Docks a card and takes it away (its folder renamed, as the directory dock sees an unplug) while
 * B.MP4 is being copied; `abort`: the daemon saw the undock too and stops the session (ENODEV).
 */
async function unplugMidCopy(name: string, abort: boolean): Promise<{ after: SlotUpdate[]; status: string; held: number }> {
  const homeDir = path.join(t.dir, `home-${name}`);
  mkdirSync(homeDir, { recursive: true });
  writeFileSync(path.join(homeDir, 'evidock.toml'), '[meta]\nread_metadata = false\n');
  const { config, home } = loadConfig({ home: homeDir });
  const station = await openStation(config, home, silent, { actor: currentActor('daemon'), as: 'daemon', describe: async () => null, deriveFacts: false, catchUp: false });
  const root = card(`card-${name}`);
  const controller = new AbortController();
  const docked: RecorderDocked = { slot: name, mountPath: root, recorderHint: name, dockedAt: new Date() };
  const after: SlotUpdate[] = [];
  let unplugged = false;
  try {
    const r = await runDocking(station, docked, {
      signal: controller.signal,
      onSlot: (u) => {
        if (unplugged) after.push(u);
        else if (u.state === 'copying' && u.filePath === 'DCIM/B.MP4' && (u.bytesDone ?? 0) > 6 * MiB) {
          unplugged = true;
          renameSync(root, `${root}-away`);
          if (abort) controller.abort(Object.assign(new Error('recorder removed'), { code: 'ENODEV' }));
        }
      },
    });
    return { after, status: r!.summary.status, held: r!.summary.held };
  } finally {
    await station.close();
  }
}

describe('a slot whose card is unplugged mid-copy', () => {
  it('the daemon saw the undock: after it, the slot shows only the interrupted end, no copying or done', async () => {
    const r = await unplugMidCopy('aborted', true);
    expect(r.status).toBe('interrupted');
    expect(r.after.map((u) => u.state)).toEqual(['error']);
    expect(r.after[0]).toMatchObject({ state: 'error', message: 'interrupted: dock the recorder again to finish', held: r.held });
  });

  it('the session found the card gone first: copying until it did, then only the interrupted end, no done', async () => {
    const r = await unplugMidCopy('gone', false);
    expect(r.status).toBe('interrupted');
    const states = r.after.map((u) => u.state);
    // Until the session finds the card gone (the file in flight is read through its open
    // descriptor, the next one cannot be opened) it is copying; from then on, only its end.
    expect(states.lastIndexOf('copying')).toBeLessThan(states.indexOf('error'));
    expect(states.filter((s) => s !== 'copying')).toEqual(['error']);
    expect(r.after.at(-1)).toMatchObject({ state: 'error', message: 'interrupted: dock the recorder again to finish', held: r.held });
  });
});
