// Text from a card (names, identity fields, metadata, reasons that quote them) made safe and
// unambiguous for a terminal: controls, escape sequences and invisible direction marks are shown
// as visible escapes, never acted on. JSON output never goes through this: it stays exact.

/**
 * Characters shown escaped: C0 controls and DEL (ESC starts every escape sequence), C1 controls
 * (0x9B is a one-byte CSI), bidi controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069), other
 * invisible or line-breaking format characters (U+200B-200D, U+2028-2029, U+2060, U+FEFF), lone
 * surrogates, and the backslash itself, so that every escape shown is one we wrote.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeOne(ch: string): string {
  if (ch === '\\') return '\\\\';
  const cp = ch.charCodeAt(0);
  return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export interface TerminalTextOptions {
  /** The caller knows the text was decoded from GBK bytes (a card's non-UTF-8 name): say so. */
  fromGbk?: boolean;
}

/**
 * `s` as it may be printed on a terminal: `\x1b[31m` shows as the eight characters `\x1b[31m`,
 * U+202E as `\u202E`, a backslash as `\\`; everything else (CJK, emoji, accents) as it is.
 * Text decoded from GBK is marked ` [GBK]`, so a GBK and a UTF-8 `张三` are told apart.
 */
export function forTerminal(s: unknown, opts: TerminalTextOptions = {}): string {
  const text = (s === null || s === undefined ? '' : String(s)).replace(UNSAFE, escapeOne);
  return opts.fromGbk ? `${text} [GBK]` : text;
}

/** Whether raw name bytes are not UTF-8 but decode cleanly as GBK (as a card's display path shows them). */
export function isGbkNotUtf8(raw: Buffer): boolean {
  if (Buffer.from(raw.toString('utf8'), 'utf8').equals(raw)) return false;
  try {
    new TextDecoder('gbk', { fatal: true }).decode(raw);
    return true;
  } catch {
    return false;
  }
}
