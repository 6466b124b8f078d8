// Many recordings being described at once while copying goes on (a card of short clips): the
// session's "still wanted" signal has a listener per describe in flight. Node must not warn of a
// leak on the officer's or the administrator's terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, runCli, tempDir } from './helpers/evidock.js';

/** A short mono 8 kHz PCM WAV whose samples depend on `n` (every file unique). */
function wav(n: number): Buffer {
  const samples = Buffer.alloc(8000);
  for (let i = 0; i < samples.length; i += 2) samples.writeInt16LE(Math.round(8000 * Math.sin((i * (n + 1)) / 97)), i);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + samples.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(8000, 24);
  head.writeUInt32LE(16000, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(samples.length, 40);
  return Buffer.concat([head, samples]);
}

describe('a card of many short recordings', () => {
  const tmp = tempDir('evidock-many-describes-');
  afterAll(() => tmp.cleanup());

  it('60 clips held and described; no MaxListenersExceededWarning on stderr', () => {
    const card = path.join(tmp.dir, 'card');
    mkdirSync(path.join(card, 'DCIM'), { recursive: true });
    for (let n = 0; n < 60; n++) writeFileSync(path.join(card, 'DCIM', `REC_${String(n).padStart(4, '0')}.WAV`), wav(n));
    const home = path.join(tmp.dir, 'home');
    initHome(home);
    const r = runCli(['--home', home, 'ingest', card, '--recorder', 'R1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ held: 60, failed: 0 });
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/);
    const list = runCli(['--home', home, 'list', '--json']);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(60);
  });
});
