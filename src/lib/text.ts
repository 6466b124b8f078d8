// Decoding bytes from a card or a spreadsheet: UTF-8 when valid, else GBK (Chinese recorders and
// Chinese Windows write GBK). One pair of strict decoders for names and for file contents.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const gbk = new TextDecoder('gbk', { fatal: true, ignoreBOM: true });
const gbkWithReplacements = new TextDecoder('gbk', { ignoreBOM: true });

/**
 * The exact text of bytes that are valid UTF-8, else valid GBK; null when they are neither.
 * Nothing is dropped (a leading BOM stays): used for names, which must round-trip.
 */
export function decodeUtf8OrGbk(bytes: Uint8Array): string | null {
  for (const decoder of [utf8, gbk]) {
    try {
      return decoder.decode(bytes);
    } catch {
      /* try the next */
    }
  }
  return null;
}

/**
 * A text file's contents (an identity file, a CSV): UTF-8 when valid, else GBK with U+FFFD for
 * bytes GBK cannot read; a leading BOM is dropped. Never fails.
 */
export function decodeTextFile(bytes: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = gbkWithReplacements.decode(bytes);
  }
  return text.replace(/^\uFEFF/, '');
}
