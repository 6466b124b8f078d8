// The torn-tail check reads only the end of the journal (it runs at every append): lines far
// longer than the first piece it reads are still judged whole or torn correctly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { setAsideTornTail } from '../src/audit/journal-tail.js';

const dir = mkdtempSync(path.join(tmpdir(), 'evidock-journal-long-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A journal line of about `bytes` bytes. */
const line = (seq: number, bytes: number) => `${JSON.stringify({ seq, note: 'x'.repeat(bytes) })}\n`;

describe('torn tails next to long lines', () => {
  it('two whole lines of 100 and 300 KiB: nothing set aside, nothing cut', () => {
    const name = '2026-12-01.jsonl';
    const text = line(0, 10) + line(1, 100 * 1024) + line(2, 300 * 1024);
    writeFileSync(path.join(dir, name), text);
    expect(setAsideTornTail(dir, name)).toBeUndefined();
    expect(readFileSync(path.join(dir, name), 'utf8')).toBe(text);
  });

  it('a 200 KiB line cut short after a 300 KiB whole one: that line set aside from its first byte', () => {
    const name = '2026-12-02.jsonl';
    const whole = line(0, 300 * 1024);
    const torn = line(1, 200 * 1024).slice(0, -5000);
    writeFileSync(path.join(dir, name), whole + torn);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const set = setAsideTornTail(dir, name)!;
      expect(set.at).toBe(Buffer.byteLength(whole));
      expect(readFileSync(path.join(dir, set.aside), 'utf8')).toBe(torn);
      expect(readFileSync(path.join(dir, name), 'utf8')).toBe(whole);
      expect(warn).toHaveBeenCalledOnce();
    } finally {
      warn.mockRestore();
    }
  });

  it('a whole last line of 300 KiB after a line that is not JSON: the bad line is not what is judged', () => {
    const name = '2026-12-03.jsonl';
    const text = 'not json\n' + line(1, 300 * 1024);
    writeFileSync(path.join(dir, name), text);
    expect(setAsideTornTail(dir, name)).toBeUndefined();
    expect(readFileSync(path.join(dir, name), 'utf8')).toBe(text);
  });
});
