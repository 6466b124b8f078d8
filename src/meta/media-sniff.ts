// Whether a file can be a recording at all, from its name and its first bytes, before any reader
// runs: a card's logs, GPS tracks and index files are held like everything else, but exiftool
// (~15 ms each) and ffprobe (~300 ms of CPU each) are spent only on what may be media.
import { open } from 'node:fs/promises';
import { extname } from 'node:path';

/** How many leading bytes the signatures need (an MPEG-TS packet is 188 bytes; three are checked). */
const HEAD_BYTES = 564;

/** Extensions of recordings and photos: such a file is read even when its bytes look wrong (a damaged clip). */
const MEDIA_EXTENSIONS = new Set(
  [
    'mp4', 'm4v', 'mov', 'qt', '3gp', '3g2', 'mj2', 'avi', 'mkv', 'webm', 'ts', 'mts', 'm2ts', 'trp', 'mpg', 'mpeg', 'vob',
    'flv', 'f4v', 'wmv', 'asf', 'dav', 'avs', 'ps', '264', 'h264', '265', 'h265', 'hevc',
    'wav', 'bwf', 'mp3', 'aac', 'm4a', 'amr', 'awb', 'ogg', 'oga', 'opus', 'flac', 'wma', 'adpcm',
    'jpg', 'jpeg', 'png', 'heic', 'heif', 'tif', 'tiff', 'dng', 'bmp', 'gif', 'webp',
  ],
);

const ascii = (s: string) => Buffer.from(s, 'latin1');

/** Leading-byte signatures of media containers and image formats: [offset, bytes, format]. */
const SIGNATURES: readonly [number, Buffer, string][] = [
  [4, ascii('ftyp'), 'ISO base media (MP4, MOV, 3GP, HEIC)'],
  [4, ascii('moov'), 'QuickTime'],
  [4, ascii('mdat'), 'QuickTime'],
  [4, ascii('wide'), 'QuickTime'],
  [0, ascii('RIFF'), 'RIFF (WAV, AVI, WebP)'],
  [0, ascii('RF64'), 'RF64 WAV'],
  [0, ascii('BW64'), 'BW64 WAV'],
  [0, ascii('ID3'), 'MP3 with ID3'],
  [0, Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), 'Matroska/WebM'],
  [0, Buffer.from([0x00, 0x00, 0x01, 0xba]), 'MPEG program stream'],
  [0, Buffer.from([0x00, 0x00, 0x01, 0xb3]), 'MPEG video'],
  [0, ascii('FLV\x01'), 'FLV'],
  [0, Buffer.from([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]), 'ASF/WMV'],
  [0, ascii('OggS'), 'Ogg'],
  [0, ascii('fLaC'), 'FLAC'],
  [0, ascii('#!AMR'), 'AMR'],
  [0, ascii('DHAV'), 'Dahua DAV'],
  [0, ascii('IMKH'), 'Hikvision'],
  [0, Buffer.from([0xff, 0xd8, 0xff]), 'JPEG'],
  [0, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'PNG'],
  [0, ascii('GIF8'), 'GIF'],
  [0, ascii('II*\x00'), 'TIFF'],
  [0, ascii('MM\x00*'), 'TIFF'],
];

/** An MPEG audio frame header (MP3: sync, a valid version, layer, bit rate and rate) or an ADTS (AAC) header. */
function mpegAudioFrame(h: Buffer): boolean {
  if (h.length < 3 || h[0] !== 0xff || (h[1] & 0xe0) !== 0xe0) return false;
  if ((h[1] & 0xf6) === 0xf0) return true; // ADTS: 12 sync bits, layer 00
  const version = (h[1] >> 3) & 3;
  const layer = (h[1] >> 1) & 3;
  const bitrate = h[2] >> 4;
  const rate = (h[2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

/** MPEG transport stream: a sync byte at the start of three consecutive 188-byte packets. */
function transportStream(h: Buffer): boolean {
  return h.length >= 377 && h[0] === 0x47 && h[188] === 0x47 && h[376] === 0x47;
}

/** An H.264/H.265 elementary stream (Annex B) starting with a parameter set or an access unit delimiter. */
function annexB(h: Buffer): boolean {
  if (h.length < 5 || h[0] !== 0 || h[1] !== 0 || h[2] !== 0 || h[3] !== 1) return false;
  const nal = h[4];
  if (nal & 0x80) return false;
  const avc = nal & 0x1f;
  const hevc = (nal >> 1) & 0x3f;
  return avc === 7 || avc === 9 || hevc === 32 || hevc === 35;
}

/** The format a file's first bytes announce, or null. */
export function mediaSignatureOf(head: Buffer): string | null {
  for (const [at, bytes, format] of SIGNATURES) {
    if (head.length >= at + bytes.length && head.subarray(at, at + bytes.length).equals(bytes)) return format;
  }
  if (transportStream(head)) return 'MPEG transport stream';
  if (annexB(head)) return 'H.264/H.265 elementary stream';
  if (mpegAudioFrame(head)) return 'MPEG audio';
  return null;
}

/** Text (no NUL, no control bytes but tab, line breaks, form feed and escape) or opaque bytes. */
function plainTypeOf(head: Buffer): string {
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) return 'application/octet-stream';
  return 'text/plain';
}

export type MediaSniff =
  /** May be a recording: read it (exiftool, then ffprobe where needed). `signature`: what its first bytes announce. */
  | { media: true; signature: string | null; byName: boolean }
  /** Cannot be a recording: neither its name nor its first bytes are those of media. */
  | { media: false; mimeType: string }
  /** The file could not be read here: leave it to the readers, which report why. */
  | { media: 'unknown' };

/** Sniffs one file: its extension, then its first bytes. Never rejects. */
export async function sniffMedia(path: string): Promise<MediaSniff> {
  const byName = MEDIA_EXTENSIONS.has(extname(path).slice(1).toLowerCase());
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return { media: 'unknown' };
  }
  const signature = mediaSignatureOf(head);
  if (signature || byName) return { media: true, signature, byName };
  return { media: false, mimeType: plainTypeOf(head) };
}
