// Card-derived text printed for people is escaped visibly (controls, escape sequences, C1, bidi
// marks), through the real CLI; JSON output keeps it exact.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forTerminal } from '../src/lib/terminal-text.js';
import { runCli, tempDir } from './helpers/evidock.js';

const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('forTerminal', () => {
  it.each([
    ['R\x1b[31mX', 'R\\x1b[31mX'],
    ['line\nbreak\r\t', 'line\\x0abreak\\x0d\\x09'],
    ['c1 \u009b31m', 'c1 \\x9b31m'],
    ['abc\u202Edcba.MP4', 'abc\\u202Edcba.MP4'],
    ['iso\u2066x\u2069', 'iso\\u2066x\\u2069'],
    ['back\\x1b', 'back\\\\x1b'],
    ['张三 😀 café', '张三 😀 café'],
  ])('%j -> %j', (input, shown) => expect(forTerminal(input)).toBe(shown));

  it('marks text decoded from GBK when the caller says so', () => {
    expect(forTerminal('张三', { fromGbk: true })).toBe('张三 [GBK]');
    expect(forTerminal('张三')).toBe('张三');
  });
});

describe('a recorder folder named with an escape sequence, through the CLI', () => {
  const tmp = tempDir('evidock-term-');
  afterAll(() => tmp.cleanup());
  const card = path.join(tmp.dir, 'R\x1b[31mRED');
  const home = path.join(tmp.dir, 'home');
  mkdirSync(path.join(card, 'DCIM'), { recursive: true });
  writeFileSync(path.join(card, 'DCIM', 'evil\u202Egpm.MP4'), randomBytes(2000));
  writeFileSync(path.join(card, 'DCIM', 'c1\u009b2J.MP4'), randomBytes(2100));
  const cli = (...args: string[]) => runCli(['--home', home, ...args]);

  it('ingest summary, status, list and show print the id and names escaped; --json keeps them exact', () => {
    const ingest = cli('ingest', card); // recorder id: the folder's name
    expect(ingest.stdout).not.toMatch(RAW_UNSAFE);
    expect(ingest.stdout).toContain('R\\x1b[31mRED');

    const status = cli('status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toMatch(RAW_UNSAFE);
    expect(status.stdout).toContain('R\\x1b[31mRED');

    const list = cli('list');
    expect(list.stdout).not.toMatch(RAW_UNSAFE);
    expect(list.stdout).toContain('R\\x1b[31mRED');
    expect(list.stdout).toContain('DCIM/evil\\u202Egpm.MP4');
    expect(list.stdout).toContain('DCIM/c1\\x9b2J.MP4');

    const json = JSON.parse(cli('list', '--json').stdout) as { evidenceNumber: string; recorder: string; sourcePath: string }[];
    expect(json.map((o) => o.recorder)).toEqual(['R\x1b[31mRED', 'R\x1b[31mRED']);
    expect(json.map((o) => o.sourcePath).sort()).toEqual(['DCIM/c1\u009b2J.MP4', 'DCIM/evil\u202Egpm.MP4']);

    for (const o of json) {
      const show = cli('show', o.evidenceNumber);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).not.toMatch(RAW_UNSAFE);
      expect(show.stdout).toContain('R\\x1b[31mRED');
      expect(JSON.parse(cli('show', o.evidenceNumber, '--json').stdout).recorder.id).toBe('R\x1b[31mRED');
    }
  });
});
