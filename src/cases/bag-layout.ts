// The layout of an evidock copy as a BagIt 1.0 bag (RFC 8493): where each recording and each
// tag file goes. Shared by the writer and the offline verifier.
import path from 'node:path';

export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const PAYLOAD_MANIFEST = 'manifest-sha256.txt';
export const TAG_MANIFEST = 'tagmanifest-sha256.txt';
export const BAG_INFO = 'bag-info.txt';
/** evidock's own tag files, under one folder of the bag's base directory. */
export const TAG_DIR = 'evidock';
export const CHECKPOINT_FILE = `${TAG_DIR}/checkpoint.txt`;
export const STATION_KEY_FILE = `${TAG_DIR}/station.pub`;
export const COPY_JSON = `${TAG_DIR}/copy.json`;

/** Where a recording goes in the payload: data/<evidence number><extension of the name on the card>. */
export function payloadPathOf(evidenceNumber: string, fileName: string): string {
  const ext = path.extname(fileName).replace(/[^A-Za-z0-9.]/g, '').slice(0, 10);
  return `data/${evidenceNumber}${ext.length > 1 ? ext.toLowerCase() : ''}`;
}

export function proofPathOf(evidenceNumber: string): string {
  return `${TAG_DIR}/proofs/${evidenceNumber}.proof.json`;
}

/** A manifest line as sha256sum writes it (so `sha256sum -c` reads the manifest too). */
export function manifestLine(sha256: string, relPath: string): string {
  return `${sha256}  ${relPath}\n`;
}

/** bag-info.txt: one "Label: value" line each; values made single-line. */
export function bagInfoText(fields: [label: string, value: string][]): string {
  return fields.map(([k, v]) => `${k}: ${v.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`).join('');
}
