// Reading the committed fixture recordings with the real exiftool and ffprobe.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endExifTool, exiftoolPids } from '../src/meta/exiftool.js';
import { endFfprobe, ffprobePids } from '../src/meta/ffprobe.js';
import { readRecordingMetadata, type RecordingMetadata } from '../src/meta/recording.js';

interface ManifestFile {
  file: string;
  kind: string;
  metadataAvailable: boolean;
  unavailableReason: string | null;
  expected: null | {
    make: string | null;
    model: string | null;
    serial: string | null;
    start: string;
    startUtc: string;
    end: string;
    durationSeconds: number;
    videoCodec: string | null;
    audioCodec: string | null;
    width: number | null;
    height: number | null;
    frameRate: number | null;
    hasAudio: boolean;
    gps: { latitude: number; longitude: number } | null;
  };
}

const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, 'fixtures/manifest.json'), 'utf8')) as {
  stationTimezone: string;
  files: ManifestFile[];
};
const media = manifest.files.filter((f) => f.expected !== null);
const scratch = mkdtempSync(join(tmpdir(), 'evidock-meta-'));

afterAll(async () => {
  await endExifTool();
  endFfprobe();
  rmSync(scratch, { recursive: true, force: true });
});

describe('readRecordingMetadata on the fixtures', () => {
  const cases = media.flatMap((f) => (['auto', 'always'] as const).map((mode) => [f.file, mode, f] as const));
  it.each(cases)('%s (ffprobe %s): the values the fixture script wrote', async (_name, mode, f) => {
    const m = await readRecordingMetadata(join(root, f.file), { timezone: manifest.stationTimezone, ffprobe: mode });
    expect(m.available, JSON.stringify(m)).toBe(true);
    const r = m as RecordingMetadata;
    const e = f.expected!;
    expect(r.kind).toBe(f.kind);
    expect({ make: r.make, model: r.model, serial: r.serial }).toEqual({ make: e.make, model: e.model, serial: e.serial });
    expect(r.start).toBe(e.start);
    expect(r.startUtc).toBe(e.startUtc);
    expect(r.durationSeconds).toBe(e.durationSeconds);
    expect(r.end).toBe(e.end);
    expect(r.videoCodec).toBe(e.videoCodec);
    expect(r.audioCodec).toBe(e.audioCodec);
    expect(r.width).toBe(e.width);
    expect(r.height).toBe(e.height);
    expect(r.frameRate).toBe(e.frameRate);
    expect(r.hasAudio).toBe(e.hasAudio);
    if (e.gps) {
      expect(r.gps?.latitude).toBeCloseTo(e.gps.latitude, 6);
      expect(r.gps?.longitude).toBeCloseTo(e.gps.longitude, 6);
    } else {
      expect(r.gps).toBeNull();
    }
  });

  it('reads zone-less times in the station zone given', async () => {
    const photo = media.find((f) => f.file.endsWith('_0003.JPG') && f.file.includes('7654321'))!;
    const m = (await readRecordingMetadata(join(root, photo.file), { timezone: 'Europe/Berlin' })) as RecordingMetadata;
    // EXIF 09:20:30 without offset, read in Berlin (CET, +01:00 in March 2026 before the 29th)
    expect(m.start).toBe('2026-03-15T09:20:30+01:00');
    expect(m.startSource).toBe('exif-station-zone');
    // An MP4's creation_time is UTC whatever the station zone: the same instant, shown in Berlin.
    const clip = media.find((f) => f.kind === 'video')!;
    const v = (await readRecordingMetadata(join(root, clip.file), { timezone: 'Europe/Berlin' })) as RecordingMetadata;
    expect(v.startUtc).toBe(clip.expected!.startUtc);
    expect(v.start).toBe('2026-03-15T01:30:00+01:00');
  });

  it('an offset in the photo wins over the station zone', async () => {
    const photo = media.find((f) => f.file.endsWith('_0004.JPG'))!;
    const m = (await readRecordingMetadata(join(root, photo.file), { timezone: 'UTC' })) as RecordingMetadata;
    expect(m.startSource).toBe('exif-with-offset');
    expect(m.startUtc).toBe(photo.expected!.startUtc);
  });
});

describe('files that are not readable recordings', () => {
  it.each(manifest.files.filter((f) => !f.metadataAvailable).map((f) => [f.file, f] as const))(
    '%s: unavailable with a reason, no throw',
    async (_name, f) => {
      const m = await readRecordingMetadata(join(root, f.file));
      expect(m.available).toBe(false);
      if (m.available) return;
      expect(m.reason.length).toBeGreaterThan(0);
      if (f.kind === 'corrupt-video') expect(m.reason).toMatch(/moov atom not found/);
      else expect(m.reason).toMatch(/not a recording \(text\/plain\)/);
    },
  );

  it('a recording whose moov box was cut off (made here from a good clip)', async () => {
    const clip = media.find((f) => f.kind === 'video')!;
    const bytes = readFileSync(join(root, clip.file));
    const cut = join(scratch, 'cut.MP4');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 400)); // moov is at the end
    const m = await readRecordingMetadata(cut);
    expect(m).toMatchObject({ available: false });
    expect((m as { reason: string }).reason).toMatch(/ffprobe/);
  });

  it('empty file, random bytes, missing file, a name with a newline', async () => {
    const empty = join(scratch, 'empty.MP4');
    writeFileSync(empty, '');
    const noise = join(scratch, 'noise.MP4');
    writeFileSync(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    const odd = join(scratch, 'a\nb -v quiet.MP4');
    writeFileSync(odd, 'x');
    for (const p of [empty, noise, join(scratch, 'missing.MP4'), odd]) {
      const m = await readRecordingMetadata(p);
      expect(m.available, p).toBe(false);
      expect((m as { reason: string }).reason.length, p).toBeGreaterThan(0);
    }
  });
});

describe('children', () => {
  it('no exiftool or ffprobe process is left after end', async () => {
    await readRecordingMetadata(join(root, media[0].file));
    expect(exiftoolPids().length).toBeGreaterThan(0);
    const pids = exiftoolPids();
    await endExifTool();
    endFfprobe();
    expect(exiftoolPids()).toEqual([]);
    expect(ffprobePids()).toEqual([]);
    for (const pid of pids) expect(alive(pid), `exiftool pid ${pid}`).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('exiftool first, ffprobe when the tags are not conclusive', () => {
  const probeOk = { ok: true as const, output: { format: { format_name: 'matroska,webm', duration: '3.5' }, streams: [{ codec_type: 'video', codec_name: 'vp9', width: 640, height: 360, avg_frame_rate: '30/1' }] } };
  function fakes(tags: Record<string, unknown>) {
    let probes = 0;
    return {
      calls: () => probes,
      tags: { readTags: async () => tags },
      prober: { probe: async () => { probes++; return probeOk; } },
    };
  }

  it('a complete MP4 tag set needs no ffprobe', async () => {
    const f = fakes({ 'File:MIMEType': 'video/mp4', 'QuickTime:Duration': 4, 'QuickTime:CreateDate': '2026:03:15 00:30:00', 'Track1:HandlerType': 'vide', 'Track1:CompressorID': 'hvc1', 'Track1:ImageWidth': 1920, 'Track1:ImageHeight': 1080, 'Track1:VideoFrameRate': 29.97 });
    const m = (await readRecordingMetadata('/x.mp4', { tags: f.tags, prober: f.prober })) as RecordingMetadata;
    expect(f.calls()).toBe(0);
    expect(m).toMatchObject({ available: true, kind: 'video', videoCodec: 'hevc', width: 1920, height: 1080, frameRate: 29.97, hasAudio: false, durationSeconds: 4, start: '2026-03-15T08:30:00+08:00' });
  });

  it.each([
    ['an unknown codec', { 'File:MIMEType': 'video/mp4', 'QuickTime:Duration': 4, 'Track1:HandlerType': 'vide', 'Track1:CompressorID': 'xyz1', 'Track1:ImageWidth': 1, 'Track1:ImageHeight': 1 }],
    ['a warning', { 'File:MIMEType': 'video/mp4', 'ExifTool:Warning': "Truncated 'mdat' data", 'QuickTime:Duration': 4 }],
    ['no movie header', { 'File:MIMEType': 'video/mp4' }],
    ['another format', { 'File:MIMEType': 'video/webm' }],
  ])('%s: ffprobe decides', async (_n, tags) => {
    const f = fakes(tags);
    const m = await readRecordingMetadata('/x', { tags: f.tags, prober: f.prober });
    expect(f.calls()).toBe(1);
    expect(m.available).toBe(true);
  });

  // What exiftool 13 gives for a clip whose recorder lost power mid-recording: ftyp, then an mdat
  // that runs past the end of the file, and no moov (the index, written last).
  const cutTags = {
    SourceFile: '/x.MP4',
    'ExifTool:ExifToolVersion': 13.59,
    'ExifTool:Warning': "Truncated 'mdat' data at offset 0x28",
    'System:FileName': 'x.MP4',
    'System:FileSize': 18999,
    'File:FileType': 'MP4',
    'File:MIMEType': 'video/mp4',
    'QuickTime:MajorBrand': 'isom',
    'QuickTime:MinorVersion': '0.2.0',
    'QuickTime:CompatibleBrands': ['isom', 'iso2', 'avc1', 'mp41'],
    'QuickTime:MediaDataSize': 29965,
    'QuickTime:MediaDataOffset': 48,
    errors: [],
    warnings: [],
  };

  it('a clip cut before its index (ftyp, a truncated mdat, nothing else): unavailable from the tags, no ffprobe', async () => {
    const f = fakes(cutTags);
    const m = await readRecordingMetadata('/x.MP4', { tags: f.tags, prober: f.prober });
    expect(f.calls()).toBe(0);
    expect(m).toMatchObject({ available: false, mimeType: 'video/mp4' });
    expect((m as { reason: string }).reason).toMatch(/^moov atom not found: the file ends inside its media data.*; exiftool: Truncated 'mdat' data at offset 0x28$/);
  });

  it.each([
    ['a movie header before the media', { 'QuickTime:MovieHeaderVersion': 0, 'QuickTime:Duration': 4 }],
    ['another box (XMP)', { 'XMP-x:XMPToolkit': 'x' }],
    ['a truncated moov instead', { 'ExifTool:Warning': "Truncated 'moov' data" }],
    ['an error besides', { errors: ['Error reading mdat'] }],
    ['no media data size', { 'QuickTime:MediaDataSize': undefined }],
    ['not QuickTime', { 'File:MIMEType': 'video/x-msvideo' }],
  ])('cut, but %s: ffprobe decides', async (_n, more) => {
    const f = fakes({ ...cutTags, ...more });
    await readRecordingMetadata('/x.MP4', { tags: f.tags, prober: f.prober });
    expect(f.calls()).toBe(1);
  });

  it("the real exiftool's reading of the fixture clip cut before its moov box is conclusive: no ffprobe", async () => {
    const cut = manifest.files.find((f) => f.kind === 'corrupt-video')!;
    let probes = 0;
    const m = await readRecordingMetadata(join(root, cut.file), { prober: { probe: async () => (probes++, { ok: false, reason: 'ffprobe: asked' }) } });
    expect(probes).toBe(0);
    expect((m as { reason: string }).reason).toMatch(/^moov atom not found: .*exiftool: Truncated 'mdat' data/);
  });

  it('a reader that throws gives unavailable, never a rejection', async () => {
    const m = await readRecordingMetadata('/x', { tags: { readTags: async () => { throw new Error('boom'); } }, prober: { probe: async () => { throw new Error('bang'); } } });
    expect(m).toMatchObject({ available: false });
    expect((m as { reason: string }).reason).toMatch(/ffprobe: bang.*exiftool: boom/);
  });

  it('not wanted any more (its copy let go): ffprobe is not started after the tags, and the reason says why', async () => {
    const wanted = new AbortController();
    let probes = 0;
    const tags = { readTags: async () => { wanted.abort(new Error('its copy was let go unheld')); return { 'File:MIMEType': 'video/mp4' }; } };
    const m = await readRecordingMetadata('/x', { tags, prober: { probe: async () => { probes++; return probeOk; } }, signal: wanted.signal });
    expect(probes).toBe(0);
    expect(m).toMatchObject({ available: false });
    expect((m as { reason: string }).reason).toMatch(/ffprobe: not read: its copy was let go unheld/);
  });
});
