// The campaigns' cards (test/system/harness/campaign.ts writeCard): no two cards written by one
// process share a file's bytes, so a campaign's "held once per file, by digest" counting is exact
// (the unplug campaign's 1-byte D.WAV has only 256 contents: two cards with the same byte made a
// re-docking find it "already held" though no session undercounted).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCard } from './system/harness/campaign.js';
import { tempDir } from './helpers/evidock.js';

describe('campaign cards', () => {
  const tmp = tempDir('evidock-cards-');
  afterAll(() => tmp.cleanup());

  it('256 cards of a 1-byte file hold 256 different bytes, and a 257th card is refused with why', () => {
    const shas = new Set<string>();
    const bytes = new Set<number>();
    for (let i = 0; i < 256; i++) {
      const dir = path.join(tmp.dir, `card-${i}`);
      const [file] = writeCard(dir, { 'D.WAV': 1 });
      shas.add(file.sha256);
      bytes.add(readFileSync(path.join(dir, 'D.WAV'))[0]);
    }
    expect(shas.size).toBe(256);
    expect(bytes.size).toBe(256);
    expect(() => writeCard(path.join(tmp.dir, 'card-256'), { 'D.WAV': 1 })).toThrow(/no unused content of 1 byte\(s\) left for D.WAV/);
  });
});
