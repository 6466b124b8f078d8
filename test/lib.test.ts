// lib/: the leaf helpers every room shares (time zones, UTF-8/GBK text, durable writes), each
// checked where its copies used to disagree.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsyncDirectory, fsyncDirectoryIfSupported, writeNewFileDurably } from '../src/lib/durable.js';
import { decodeTextFile, decodeUtf8OrGbk } from '../src/lib/text.js';
import { formatInZone, isValidTimeZone, localDateOf, wallTimeToInstant, zoneOffsetMinutes } from '../src/lib/time-zone.js';

const zhangSanGbk = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]);

describe('lib/text', () => {
  it('a name decodes exactly: UTF-8, else GBK, else null; a leading BOM is kept', () => {
    expect(decodeUtf8OrGbk(Buffer.from('张三.MP4'))).toBe('张三.MP4');
    expect(decodeUtf8OrGbk(zhangSanGbk)).toBe('张三');
    expect(decodeUtf8OrGbk(Buffer.from('\uFEFFa.MP4'))).toBe('\uFEFFa.MP4');
    expect(decodeUtf8OrGbk(Buffer.from([0x41, 0x81, 0x20, 0x42]))).toBeNull();
  });

  it('a text file decodes UTF-8 (BOM dropped), else GBK with replacements, never fails', () => {
    expect(decodeTextFile(Buffer.from('\uFEFFnumber,name\n'))).toBe('number,name\n');
    expect(decodeTextFile(zhangSanGbk)).toBe('张三');
    expect(decodeTextFile(Buffer.from([0x41, 0x81, 0x20, 0x42]))).toBe('A\uFFFD B');
  });
});

describe('lib/time-zone', () => {
  it('knows zones, offsets and civil dates', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(zoneOffsetMinutes(Date.parse('2026-03-15T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(localDateOf(Date.parse('2026-03-10T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-11');
  });

  it('a wall time skipped by DST moves forward; a repeated one is the earlier instant', () => {
    // Berlin, 2026-03-29 02:30 does not exist (01:00Z jumps from 02:00 CET to 03:00 CEST).
    expect(wallTimeToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T01:30:00Z'));
    // New York, 2026-11-01 01:30 happens twice (EDT, then EST): the first.
    expect(wallTimeToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 }, 'America/New_York')).toBe(Date.parse('2026-11-01T05:30:00Z'));
    expect(wallTimeToInstant({ year: 2026, month: 3, day: 15, hour: 8, minute: 30, second: 0, millisecond: 250 }, 'Asia/Shanghai')).toBe(Date.parse('2026-03-15T00:30:00.250Z'));
  });

  it('prints ISO 8601 with the offset, milliseconds only when not 0', () => {
    expect(formatInZone(Date.parse('2026-03-15T00:30:00Z'), 'Asia/Shanghai')).toBe('2026-03-15T08:30:00+08:00');
    expect(formatInZone(Date.parse('2026-03-15T00:30:00.5Z'), 'UTC')).toBe('2026-03-15T00:30:00.500+00:00');
    expect(formatInZone(Date.parse('2026-07-01T12:00:00Z'), 'America/St_Johns')).toBe('2026-07-01T09:30:00-02:30');
  });
});

describe('lib/durable', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'evidock-lib-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a new file whole and read-only, and refuses one that exists', () => {
    const file = path.join(dir, 'once.txt');
    writeNewFileDurably(file, 'ocfl_1.1\n');
    expect(readFileSync(file, 'utf8')).toBe('ocfl_1.1\n');
    expect(statSync(file).mode & 0o777).toBe(0o444);
    expect(() => writeNewFileDurably(file, 'again')).toThrow(/EEXIST/);
    const key = path.join(dir, 'key');
    writeNewFileDurably(key, Buffer.from([1, 2, 3]), 0o600);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('fsyncs a directory; the quiet form never throws', () => {
    expect(() => fsyncDirectory(dir)).not.toThrow();
    expect(() => fsyncDirectory(path.join(dir, 'missing'))).toThrow(/ENOENT/);
    expect(() => fsyncDirectoryIfSupported(path.join(dir, 'missing'))).not.toThrow();
  });
});
