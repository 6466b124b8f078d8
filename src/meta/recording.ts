// What a recording says about itself: device, time, duration, media facts. Reads a file that may
// be media (media-sniff.ts) with exiftool (tags) and, where the tags are not conclusive, ffprobe
// (streams); never throws for bad media: a file that cannot be read as a recording gives
// {available: false, reason}.
import { exifTagReader, type RawTags, type TagReader } from './exiftool.js';
import { ffprobe, type ProbeOutput, type ProbeResult, type Prober } from './ffprobe.js';
import { cutBeforeIndex, probeFromTags } from './from-tags.js';
import { sniffMedia } from './media-sniff.js';
import { formatInZone, wallTimeToInstant } from '../lib/time-zone.js';
import { formatUtc, parseDateTimeText, parseOffset, wallTimeWithOffsetToInstant } from './time.js';

export const DEFAULT_STATION_TIMEZONE = 'Asia/Shanghai';

export type MediaKind = 'video' | 'audio' | 'photo';

/** Which tag gave the start time, and how its zone was decided. */
export type StartSource =
  | 'quicktime-creation-time' // MP4/MOV Keys:CreationTime (with its own zone)
  | 'quicktime-create-date' // MP4/MOV mvhd CreateDate, UTC by the QuickTime spec
  | 'ffprobe-creation-time' // container creation_time as ffprobe reads it (UTC)
  | 'exif-with-offset' // EXIF DateTimeOriginal + OffsetTimeOriginal
  | 'exif-station-zone' // EXIF DateTimeOriginal without offset: station zone
  | 'bext-station-zone' // Broadcast WAV origination date/time: station zone
  | 'riff-station-zone'; // other zone-less RIFF/ID3 dates: station zone

export interface Gps {
  latitude: number;
  longitude: number;
  altitude: number | null;
}

export interface RecordingMetadata {
  available: true;
  kind: MediaKind;
  mimeType: string | null;
  container: string | null;
  make: string | null;
  model: string | null;
  serial: string | null;
  /** Recording start, ISO 8601 in the station zone with offset. */
  start: string | null;
  /** The same instant in UTC (Z). */
  startUtc: string | null;
  startSource: StartSource | null;
  /** start + duration (photos: = start). */
  end: string | null;
  durationSeconds: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
  hasAudio: boolean;
  gps: Gps | null;
  /** What the readers complained about without failing. */
  warnings: string[];
}

export interface MetadataUnavailable {
  available: false;
  /** Why: "ffprobe: moov atom not found", "not a recording (text/plain)", ... */
  reason: string;
  mimeType: string | null;
}

export type MetadataResult = RecordingMetadata | MetadataUnavailable;

export interface ReadMetadataOptions {
  /** Station zone for zone-less times (IANA name); default Asia/Shanghai. */
  timezone?: string;
  tags?: TagReader;
  prober?: Prober;
  /** "auto" (default): ffprobe only when exiftool's tags are not conclusive; "always": both. */
  ffprobe?: 'auto' | 'always';
  /** Aborted: no further reader is started (the answer is not wanted any more). */
  signal?: AbortSignal;
}

/** Reads one recording's metadata. Never rejects. */
export async function readRecordingMetadata(path: string, options: ReadMetadataOptions = {}): Promise<MetadataResult> {
  const timezone = options.timezone ?? DEFAULT_STATION_TIMEZONE;
  const tagReader = options.tags ?? exifTagReader;
  const prober = options.prober ?? ffprobe;
  // A log, a GPS track or an index file is no recording: neither reader is started for it.
  const sniffed = await sniffMedia(path);
  if (sniffed.media === false) {
    return { available: false, reason: `not a recording (${sniffed.mimeType}): neither its name nor its first bytes are those of a recording or photo`, mimeType: sniffed.mimeType };
  }
  const notWanted = () => `not read: ${oneLine(options.signal?.reason ?? 'stopped')}`;
  const probeWithFfprobe = (): Promise<ProbeResult> =>
    options.signal?.aborted
      ? Promise.resolve({ ok: false, reason: `ffprobe: ${notWanted()}` })
      : prober.probe(path).catch((e: unknown): ProbeResult => ({ ok: false, reason: `ffprobe: ${oneLine(e)}` }));
  const readTags = () =>
    (options.signal?.aborted ? Promise.reject(new Error(notWanted())) : tagReader.readTags(path)).then(
      (t) => ({ ok: true as const, tags: t }),
      (e: unknown) => ({ ok: false as const, reason: `exiftool: ${oneLine(e)}` }),
    );
  let tagsResult: Awaited<ReturnType<typeof readTags>>;
  let probed: ProbeResult;
  if (options.ffprobe === 'always') {
    [tagsResult, probed] = await Promise.all([readTags(), probeWithFfprobe()]);
  } else {
    // exiftool first; ffprobe only when the tags are not conclusive (see from-tags.ts) and the
    // file may still be media: a media name with bytes exiftool knows as something else is not.
    tagsResult = await readTags();
    const fromTags = tagsResult.ok ? probeFromTags(tagsResult.tags) : null;
    const otherType = tagsResult.ok && sniffed.media === true && !sniffed.signature ? nonMediaType(tagsResult.tags) : null;
    const cut = tagsResult.ok && !fromTags ? cutBeforeIndex(tagsResult.tags) : null;
    probed = fromTags
      ? { ok: true, output: fromTags }
      : otherType
        ? { ok: false, reason: `ffprobe: not run (exiftool reads it as ${otherType}, only its name is that of a recording)` }
        : cut
          ? { ok: false, reason: cut }
          : await probeWithFfprobe();
  }
  try {
    return interpret(tagsResult.ok ? tagsResult.tags : null, tagsResult.ok ? null : tagsResult.reason, probed, timezone);
  } catch (e) {
    return { available: false, reason: `metadata could not be interpreted: ${oneLine(e)}`, mimeType: null };
  }
}

/** The type exiftool identified when it is not media (text, a document, an archive), else null. */
function nonMediaType(tags: RawTags): string | null {
  const mime = str(tags['File:MIMEType']);
  if (!mime || /^(video|audio|image)\//.test(mime) || mime === 'application/octet-stream') return null;
  return mime;
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** Combines exiftool tags and ffprobe output (pure; exported for tests). */
export function interpret(
  tags: RawTags | null,
  tagError: string | null,
  probed: ProbeResult,
  timezone: string,
): MetadataResult {
  const mimeType = tags ? str(tags['File:MIMEType']) : null;
  const warnings: string[] = [];
  if (tags) {
    const w = str(tags['ExifTool:Warning']);
    if (w) warnings.push(`exiftool: ${w}`);
    const errors = tags['errors'];
    if (Array.isArray(errors)) for (const e of errors) warnings.push(`exiftool: ${String(e)}`);
  } else if (tagError) {
    warnings.push(tagError);
  }

  const streams = probed.ok ? probed.output.streams : [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.['attached_pic']);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!probed.ok || (!video && !audio)) {
    const why = !probed.ok ? probed.reason : 'ffprobe: no audio or video stream';
    const exifWarning = tags ? str(tags['ExifTool:Warning']) : null;
    const parts = [
      mimeType && !/^(video|audio|image)\//.test(mimeType) ? `not a recording (${mimeType})` : null,
      why,
      exifWarning ? `exiftool: ${exifWarning}` : null,
      !tags && tagError ? tagError : null,
    ].filter(Boolean);
    return { available: false, reason: parts.join('; '), mimeType };
  }

  const output = (probed as { ok: true; output: ProbeOutput }).output;
  const formatName = output.format.format_name ?? null;
  const isPhoto =
    (mimeType?.startsWith('image/') ?? false) ||
    (formatName !== null && /(^|,)(image2|[a-z0-9]+_pipe)(,|$)/.test(formatName)) ||
    (!audio && video !== undefined && /^(mjpeg|png|bmp|tiff|webp|heic|hevc_image)$/.test(video.codec_name ?? '') && !hasRealDuration(output));
  const kind: MediaKind = isPhoto ? 'photo' : video ? 'video' : 'audio';

  const t = tags ?? {};
  const make = firstTag(t, ['IFD0:Make', 'Keys:Make', 'UserData:Make', 'ItemList:Make', 'QuickTime:Make', 'XMP-tiff:Make']) ?? probeTag(output, ['make', 'com.apple.quicktime.make']);
  const model = firstTag(t, ['IFD0:Model', 'Keys:Model', 'UserData:Model', 'ItemList:Model', 'QuickTime:Model', 'XMP-tiff:Model']) ?? probeTag(output, ['model', 'com.apple.quicktime.model']);
  const serial =
    firstTag(t, [
      'ExifIFD:SerialNumber',
      'Keys:SerialNumber',
      'UserData:SerialNumber',
      'ItemList:SerialNumber',
      'ExifIFD:BodySerialNumber',
      'MakerNotes:SerialNumber',
      'MakerNotes:InternalSerialNumber',
      'XMP-aux:SerialNumber',
      'XMP-exifEX:BodySerialNumber',
    ]) ?? anyTagEndingWith(t, [':SerialNumber', ':BodySerialNumber']) ?? probeTag(output, ['serial_number', 'serial', 'serialnumber']);

  let durationSeconds: number | null = null;
  if (kind === 'photo') durationSeconds = 0;
  else {
    const d = num(output.format.duration) ?? num(video?.duration) ?? num(audio?.duration) ?? num(t['Composite:Duration']) ?? num(t['QuickTime:Duration']);
    durationSeconds = d !== null && d >= 0 ? roundMs(d) : null;
  }

  const started = startInstant(t, output, kind, timezone, warnings);
  const start = started ? formatInZone(started.ms, timezone) : null;
  const startUtc = started ? formatUtc(started.ms) : null;
  const end = started && durationSeconds !== null ? formatInZone(started.ms + Math.round(durationSeconds * 1000), timezone) : null;

  return {
    available: true,
    kind,
    mimeType,
    container: formatName,
    make,
    model,
    serial,
    start,
    startUtc,
    startSource: started?.source ?? null,
    end,
    durationSeconds,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    frameRate: kind === 'video' && video ? rate(video.avg_frame_rate) ?? rate(video.r_frame_rate) : null,
    hasAudio: audio !== undefined,
    gps: gpsOf(t),
    warnings,
  };
}

function hasRealDuration(output: ProbeOutput): boolean {
  const d = num(output.format.duration);
  return d !== null && d > 0.5;
}

function startInstant(
  t: RawTags,
  output: ProbeOutput,
  kind: MediaKind,
  timezone: string,
  warnings: string[],
): { ms: number; source: StartSource } | null {
  const inZone = (text: unknown, source: StartSource, offsetText?: unknown): { ms: number; source: StartSource } | null => {
    const parsed = typeof text === 'string' ? parseDateTimeText(text) : null;
    if (!parsed) return null;
    if (parsed.offsetMinutes !== null) return { ms: wallTimeWithOffsetToInstant(parsed.wall, parsed.offsetMinutes), source };
    const offset = typeof offsetText === 'string' ? parseOffset(offsetText) : null;
    if (offset !== null) return { ms: wallTimeWithOffsetToInstant(parsed.wall, offset), source: 'exif-with-offset' };
    return { ms: wallTimeToInstant(parsed.wall, timezone), source };
  };
  const utc = (text: unknown, source: StartSource): { ms: number; source: StartSource } | null => {
    const parsed = typeof text === 'string' ? parseDateTimeText(text) : null;
    if (!parsed) return null;
    return { ms: wallTimeWithOffsetToInstant(parsed.wall, parsed.offsetMinutes ?? 0), source };
  };

  if (kind === 'photo') {
    const dto = t['ExifIFD:DateTimeOriginal'] ?? t['ExifIFD:CreateDate'] ?? t['IFD0:ModifyDate'] ?? t['XMP-exif:DateTimeOriginal'];
    const withSubSec = addSubSec(dto, t['ExifIFD:SubSecTimeOriginal']);
    const offset = t['ExifIFD:OffsetTimeOriginal'] ?? t['ExifIFD:OffsetTime'];
    return inZone(withSubSec, 'exif-station-zone', offset);
  }
  // QuickTime family: Keys:CreationTime may carry a zone; mvhd CreateDate is UTC.
  const keys = t['Keys:CreationTime'];
  if (typeof keys === 'string') {
    const parsed = parseDateTimeText(keys);
    if (parsed) {
      if (parsed.offsetMinutes !== null) return { ms: wallTimeWithOffsetToInstant(parsed.wall, parsed.offsetMinutes), source: 'quicktime-creation-time' };
      // Apple writes it with a zone; without one, treat it as UTC like the rest of QuickTime.
      return { ms: wallTimeWithOffsetToInstant(parsed.wall, 0), source: 'quicktime-creation-time' };
    }
  }
  const qt = utc(t['QuickTime:CreateDate'], 'quicktime-create-date');
  if (qt) return qt;
  const bext = inZone(t['RIFF:DateTimeOriginal'], 'bext-station-zone');
  if (bext) return bext;
  const riff = inZone(t['RIFF:DateCreated'] ?? t['ID3v2_4:RecordingTime'] ?? t['ID3v2_3:Year'], 'riff-station-zone');
  if (riff) return riff;
  const probed = output.format.tags?.['creation_time'] ?? output.streams.map((s) => s.tags?.['creation_time']).find(Boolean);
  const fromProbe = utc(probed, 'ffprobe-creation-time');
  if (fromProbe) return fromProbe;
  if (kind === 'video' || kind === 'audio') warnings.push('no recording start time in the file');
  return null;
}

function addSubSec(dt: unknown, subsec: unknown): unknown {
  if (typeof dt !== 'string' || subsec === undefined || subsec === null || /\.\d/.test(dt)) return dt;
  const digits = String(subsec).replace(/\D/g, '');
  return digits ? `${dt.trim()}.${digits}` : dt;
}

function gpsOf(t: RawTags): Gps | null {
  const lat = num(t['Composite:GPSLatitude']) ?? signed(num(t['GPS:GPSLatitude']), t['GPS:GPSLatitudeRef'], 'S');
  const lon = num(t['Composite:GPSLongitude']) ?? signed(num(t['GPS:GPSLongitude']), t['GPS:GPSLongitudeRef'], 'W');
  let latitude = lat;
  let longitude = lon;
  if (latitude === null || longitude === null) {
    // QuickTime: "Keys:GPSCoordinates" / "UserData:GPSCoordinates" = "lat lon [alt]" with -n
    const coords = str(t['Keys:GPSCoordinates']) ?? str(t['UserData:GPSCoordinates']) ?? str(t['ItemList:GPSCoordinates']);
    const parts = coords?.trim().split(/[\s,]+/).map(Number);
    if (parts && parts.length >= 2 && parts.every(Number.isFinite)) {
      latitude = parts[0];
      longitude = parts[1];
    }
  }
  if (latitude === null || longitude === null) return null;
  if (latitude === 0 && longitude === 0) return null; // "no fix" on many devices
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  const altitude = num(t['Composite:GPSAltitude']) ?? num(t['GPS:GPSAltitude']);
  return { latitude, longitude, altitude };
}

function signed(value: number | null, ref: unknown, negative: string): number | null {
  if (value === null) return null;
  return typeof ref === 'string' && ref.toUpperCase().startsWith(negative) ? -Math.abs(value) : value;
}

function firstTag(t: RawTags, names: string[]): string | null {
  for (const n of names) {
    const v = str(t[n]);
    if (v) return v;
  }
  return null;
}

function anyTagEndingWith(t: RawTags, suffixes: string[]): string | null {
  for (const [k, v] of Object.entries(t)) {
    if (suffixes.some((s) => k.endsWith(s))) {
      const value = str(v);
      if (value) return value;
    }
  }
  return null;
}

function probeTag(output: ProbeOutput, names: string[]): string | null {
  const sources = [output.format.tags ?? {}, ...output.streams.map((s) => s.tags ?? {})];
  for (const tags of sources) {
    for (const [k, v] of Object.entries(tags)) {
      if (names.includes(k.toLowerCase())) {
        const value = str(v);
        if (value) return value;
      }
    }
  }
  return null;
}

/** Tag text, trimmed of padding and NULs; numbers become their decimal text. */
function str(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/\u0000/g, '').trim();
  return s.length ? s.slice(0, 256) : null;
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && v !== 'N/A') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function rate(v: string | undefined): number | null {
  if (!v) return null;
  const [a, b] = v.split('/').map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b) || !b || !a) return null;
  return Math.round((a / b) * 1000) / 1000;
}

function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
