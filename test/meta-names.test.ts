import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileConventions, parseRecordingName } from '../src/meta/filename.js';

const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, 'fixtures/manifest.json'), 'utf8')) as {
  files: { cardPath: string; fileName: null | { family: string; deviceId: string | null; officer: string | null; start: string; seq: string } }[];
};

describe('built-in file-name conventions', () => {
  it.each(manifest.files.filter((f) => f.fileName).map((f) => [f.cardPath, f.fileName!] as const))('%s', (cardPath, expected) => {
    expect(parseRecordingName(cardPath)).toEqual({ ...expected, unit: null });
  });

  it('real-looking names of each family', () => {
    expect(parseRecordingName('A1B2C3D_123456_20251231235959_12.mp4')).toEqual({
      family: 'gat947', deviceId: 'A1B2C3D', officer: '123456', unit: null, start: '2025-12-31T23:59:59+08:00', seq: '12',
    });
    expect(parseRecordingName('320102000000_010203_1234567_20260315083000_0007.MP4')).toMatchObject({
      family: 'gat947-unit', unit: '320102000000', officer: '010203', deviceId: '1234567', seq: '0007',
    });
    expect(parseRecordingName('dsj-7654321-020304-20260101-000000-A12.mov')).toMatchObject({
      family: 'dsj', deviceId: '7654321', officer: '020304', start: '2026-01-01T00:00:00+08:00', seq: 'A12',
    });
    expect(parseRecordingName('2026_0316_140000_001_F.MP4')).toMatchObject({ family: 'novatek', start: '2026-03-16T14:00:00+08:00', deviceId: null, officer: null });
  });

  it('start times are read in the station zone', () => {
    expect(parseRecordingName('1234567_010203_20260315083000_0001.MP4', { timezone: 'UTC' })?.start).toBe('2026-03-15T08:30:00+00:00');
    expect(parseRecordingName('1234567_010203_20260715083000_0001.MP4', { timezone: 'Europe/Berlin' })?.start).toBe('2026-07-15T08:30:00+02:00');
  });

  it('names that match no convention', () => {
    for (const n of ['DEVICE.LOG', 'ZFY_INFO.TXT', 'IMG_0001.JPG', '1234567_010203_2026031508300_0001.MP4', '123456_010203_20260315083000_0001.MP4', '', '.', '..']) {
      expect(parseRecordingName(n), n).toBeNull();
    }
  });

  it('a name whose digits are not a real time does not match', () => {
    expect(parseRecordingName('1234567_010203_20261399083000_0001.MP4')).toBeNull();
    expect(parseRecordingName('1234567_010203_20260230083000_0001.MP4')).toBeNull();
    expect(parseRecordingName('2026_0316_256000_001.MP4')).toBeNull();
  });
});

describe('hostile names: no crash, no match', () => {
  it('very long', () => {
    const long = `1234567_010203_20260315083000_${'1'.repeat(100_000)}.MP4`;
    expect(parseRecordingName(long)).toBeNull();
    expect(parseRecordingName('a'.repeat(1_000_000))).toBeNull();
  });
  it('control characters', () => {
    expect(parseRecordingName('1234567_010203_20260315083000_0001.MP4\n')).toBeNull();
    expect(parseRecordingName('1234567_010203_\u000020260315083000_0001.MP4')).toBeNull();
    expect(parseRecordingName('1234567_010203_20260315083000_0001\u001b[2J.MP4')).toBeNull();
    expect(parseRecordingName('\u0085\u009b')).toBeNull();
  });
  it('invalid UTF-8 and invalid GBK given as bytes', () => {
    expect(parseRecordingName(Buffer.from([0xff, 0xfe, 0xfd, 0x2e, 0x4d, 0x50, 0x34]))).toBeNull();
    expect(parseRecordingName(Buffer.from([0x80]))).toBeNull();
    expect(parseRecordingName(Buffer.from('\ud800abc', 'utf16le'))).toBeNull();
    expect(parseRecordingName('\ud800_010203_20260315083000_0001.MP4')).toBeNull();
  });
  it('valid bytes still parse, and a GBK name is decoded', () => {
    expect(parseRecordingName(Buffer.from('DCIM/1234567_010203_20260315083000_0001.MP4'))?.deviceId).toBe('1234567');
    const badFolder = Buffer.concat([Buffer.from([0xff, 0xfe, 0x2f]), Buffer.from('1234567_010203_20260315083000_0001.MP4')]);
    expect(parseRecordingName(badFolder)?.deviceId).toBe('1234567');
    const gbk = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x2e, 0x4d, 0x50, 0x34]); // "张三.MP4" in GBK
    expect(parseRecordingName(gbk)).toBeNull();
    const [custom] = compileConventions([{ family: 'named', pattern: '^(?<officer>\\p{Script=Han}+)\\.MP4$' }]);
    expect(parseRecordingName(gbk, { conventions: [custom] })).toMatchObject({ family: 'named', officer: '张三' });
  });
});

describe('configured conventions', () => {
  it('are tried before the built-ins, in order', () => {
    const conventions = compileConventions([
      { family: 'vendor-a', pattern: '^(?<deviceId>[0-9]{7})_(?<officer>[0-9]{6})_(?<start>\\d{14})_(?<seq>\\d{4})\\.MP4$' },
      { family: 'vendor-b', pattern: '^ZF(?<deviceId>\\w{7})(?<start>\\d{12})\\.mp4$', flags: 'i' },
    ]);
    expect(parseRecordingName('1234567_010203_20260315083000_0001.MP4', { conventions })?.family).toBe('vendor-a');
    expect(parseRecordingName('zfABCDEFG202603150830.MP4', { conventions })).toMatchObject({ family: 'vendor-b', deviceId: 'ABCDEFG', start: '2026-03-15T08:30:00+08:00' });
    expect(parseRecordingName('2026_0316_140000_001.MP4', { conventions })?.family).toBe('novatek');
    expect(parseRecordingName('2026_0316_140000_001.MP4', { conventions, builtins: false })).toBeNull();
  });
  it('a bad pattern is refused with its place in the configuration', () => {
    expect(() => compileConventions([{ family: 'x', pattern: '(?<deviceId>[' }])).toThrow(/meta.name_conventions\[0\] \(x\)/);
    expect(() => compileConventions([{ family: 'y', pattern: '^abc$' }])).toThrow(/named group/);
  });
});
