// The stream facts ffprobe would report, read from exiftool's tags instead, for the common
// recorder formats (MP4/MOV, JPEG, WAV). ffprobe costs ~100-300 ms of CPU per file (it loads
// every libav codec); exiftool's resident process answers in ~20 ms. When the tags are not
// conclusive (unknown codec, a warning such as a truncated box, another format) this returns
// null and ffprobe decides.
import type { RawTags } from './exiftool.js';
import type { ProbeOutput, ProbeStream } from './ffprobe.js';

const VIDEO_CODECS: Record<string, string> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  mp4v: 'mpeg4',
  jpeg: 'mjpeg',
  mjpa: 'mjpeg',
  mjpb: 'mjpeg',
};

const AUDIO_CODECS: Record<string, string> = {
  mp4a: 'aac',
  sowt: 'pcm_s16le',
  twos: 'pcm_s16be',
  ulaw: 'pcm_mulaw',
  alaw: 'pcm_alaw',
  samr: 'amr_nb',
  sawb: 'amr_wb',
  '.mp3': 'mp3',
};

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function wavCodec(encoding: number | null, bits: number | null): string | null {
  if (encoding === 1) {
    if (bits === 8) return 'pcm_u8';
    if (bits === 16 || bits === 24 || bits === 32) return `pcm_s${bits}le`;
    return null;
  }
  if (encoding === 6) return 'pcm_alaw';
  if (encoding === 7) return 'pcm_mulaw';
  if (encoding === 0x11) return 'adpcm_ima_wav';
  if (encoding === 0x55) return 'mp3';
  return null;
}

/** The QuickTime family's MIME types (MP4, MOV, 3GP): one box structure. */
const QUICKTIME_MIMES = new Set(['video/mp4', 'video/quicktime', 'video/3gpp']);

/** Whether exiftool listed any of `key` ("errors", "warnings") for the file. */
function listed(t: RawTags, key: string): boolean {
  return Array.isArray(t[key]) && (t[key] as unknown[]).length > 0;
}

/** ffprobe-shaped facts from exiftool tags, or null when ffprobe should look. */
export function probeFromTags(t: RawTags): ProbeOutput | null {
  if (t['ExifTool:Warning'] !== undefined || listed(t, 'errors')) return null;
  const mime = typeof t['File:MIMEType'] === 'string' ? t['File:MIMEType'] : '';

  if (mime === 'image/jpeg') {
    const width = num(t['File:ImageWidth']);
    const height = num(t['File:ImageHeight']);
    if (!width || !height) return null;
    return { format: { format_name: 'image2' }, streams: [{ codec_type: 'video', codec_name: 'mjpeg', width, height }] };
  }

  if (mime === 'audio/x-wav' || mime === 'audio/wav') {
    const codec = wavCodec(num(t['RIFF:Encoding']), num(t['RIFF:BitsPerSample']));
    const duration = num(t['Composite:Duration']);
    if (!codec || duration === null) return null;
    return { format: { format_name: 'wav', duration: String(duration) }, streams: [{ codec_type: 'audio', codec_name: codec, duration: String(duration) }] };
  }

  if (QUICKTIME_MIMES.has(mime)) {
    const duration = num(t['QuickTime:Duration']);
    if (duration === null) return null; // no movie header: the moov box is missing or unreadable
    const streams: ProbeStream[] = [];
    for (let i = 1; i <= 16; i++) {
      const handler = t[`Track${i}:HandlerType`];
      if (handler === undefined) continue;
      if (handler === 'vide') {
        const codec = VIDEO_CODECS[String(t[`Track${i}:CompressorID`] ?? '')];
        const width = num(t[`Track${i}:ImageWidth`]) ?? num(t[`Track${i}:SourceImageWidth`]);
        const height = num(t[`Track${i}:ImageHeight`]) ?? num(t[`Track${i}:SourceImageHeight`]);
        const fps = num(t[`Track${i}:VideoFrameRate`]);
        if (!codec || !width || !height) return null;
        streams.push({ codec_type: 'video', codec_name: codec, width, height, avg_frame_rate: fps ? `${Math.round(fps * 1000)}/1000` : undefined });
      } else if (handler === 'soun') {
        const codec = AUDIO_CODECS[String(t[`Track${i}:AudioFormat`] ?? '')];
        if (!codec) return null;
        streams.push({ codec_type: 'audio', codec_name: codec });
      }
    }
    if (!streams.length) return null;
    return { format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: String(duration) }, streams };
  }
  return null;
}

/** The QuickTime tags an ftyp box and an mdat box give; every other one comes from another box. */
const FTYP_AND_MDAT_TAGS = new Set(['QuickTime:MajorBrand', 'QuickTime:MinorVersion', 'QuickTime:CompatibleBrands', 'QuickTime:MediaDataSize', 'QuickTime:MediaDataOffset']);

/**
 * Why an MP4/MOV cannot be read, when exiftool's tags already prove it: the file is an ftyp box
 * and then media data (mdat) that runs past the end of the file, and nothing else. The recorder
 * stopped (power lost, card pulled) before writing the index (moov) at the end, and ffprobe
 * could only say "moov atom not found" after loading every codec (~0.1 s of CPU, several times
 * that with other work on the machine). Anything more in the tags (a moov box before the media,
 * another box, an error) and this is null: ffprobe decides.
 */
export function cutBeforeIndex(t: RawTags): string | null {
  const warning = t['ExifTool:Warning'];
  if (typeof warning !== 'string' || !/^Truncated 'mdat' data( at offset 0x[0-9a-f]+)?$/i.test(warning)) return null;
  if (listed(t, 'errors') || listed(t, 'warnings')) return null;
  if (!QUICKTIME_MIMES.has(String(t['File:MIMEType']))) return null;
  for (const key of Object.keys(t)) {
    const fromBoxes = key.startsWith('QuickTime:') ? FTYP_AND_MDAT_TAGS.has(key) : /^(SourceFile|errors|warnings|ExifTool:.*|System:.*|File:.*)$/.test(key);
    if (!fromBoxes) return null;
  }
  if (t['QuickTime:MediaDataSize'] === undefined) return null;
  return 'moov atom not found: the file ends inside its media data, before the index a player needs (the recorder stopped writing; read by exiftool, ffprobe not needed)';
}
