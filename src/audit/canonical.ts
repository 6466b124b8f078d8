// Canonical JSON for audit entries: one byte string per value, so a leaf hash is reproducible by
// anyone with the entry's text. Rules (a strict subset of RFC 8785 JCS):
//  - object keys sorted by UTF-16 code units (JavaScript's default sort, as JCS), no whitespace;
//  - strings escaped exactly as JSON.stringify does (well-formed, ES2019); lone surrogates are
//    rejected because UTF-8 cannot carry them and two different strings would encode alike;
//  - numbers: safe integers only by default (no floats, no NaN/Infinity, no -0); bigint is written
//    as its decimal digits; floats can be allowed explicitly for fields that identify nothing;
//  - undefined object members are dropped (as JSON.stringify); undefined in arrays, functions,
//    symbols, Dates, Maps, class instances and cycles are errors, not silent conversions.

export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
}

export interface CanonicalOptions {
  /** Allow finite non-integer numbers (written as ECMAScript Number#toString, as JCS). Default false. */
  allowFloats?: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function encodeString(s: string, where: string): string {
  if (LONE_SURROGATE.test(s)) throw new CanonicalJsonError(`${where}: string contains a lone UTF-16 surrogate`);
  return JSON.stringify(s);
}

function encode(value: unknown, where: string, opts: CanonicalOptions, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value, where);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString(10);
    case 'number': {
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${where}: number ${value} is not finite`);
      if (Object.is(value, -0)) return '0';
      if (Number.isInteger(value)) {
        if (!Number.isSafeInteger(value)) {
          throw new CanonicalJsonError(`${where}: integer ${value} is beyond 2^53; pass it as a bigint or a string`);
        }
        return String(value);
      }
      if (!opts.allowFloats) throw new CanonicalJsonError(`${where}: ${value} is not an integer (floats are not allowed here)`);
      return String(value);
    }
    case 'object': {
      if (value === null) return 'null';
      if (seen.has(value)) throw new CanonicalJsonError(`${where}: cycle`);
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          const parts: string[] = [];
          for (let i = 0; i < value.length; i++) {
            if (value[i] === undefined) throw new CanonicalJsonError(`${where}[${i}]: undefined in an array`);
            parts.push(encode(value[i], `${where}[${i}]`, opts, seen));
          }
          return `[${parts.join(',')}]`;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new CanonicalJsonError(`${where}: ${proto?.constructor?.name ?? 'object'} is not a plain object; convert it first`);
        }
        const keys = Object.keys(value).sort();
        const parts: string[] = [];
        for (const k of keys) {
          const v = (value as Record<string, unknown>)[k];
          if (v === undefined) continue;
          parts.push(`${encodeString(k, where)}:${encode(v, `${where}.${k}`, opts, seen)}`);
        }
        return `{${parts.join(',')}}`;
      } finally {
        seen.delete(value);
      }
    }
    default:
      throw new CanonicalJsonError(`${where}: ${typeof value} cannot be written as JSON`);
  }
}

/** The canonical JSON text of a value. */
export function canonicalJson(value: unknown, opts: CanonicalOptions = {}): string {
  return encode(value, '$', opts, new Set());
}

/** The canonical JSON of a value as UTF-8 bytes (what a leaf hash covers). */
export function canonicalBytes(value: unknown, opts: CanonicalOptions = {}): Buffer {
  return Buffer.from(canonicalJson(value, opts), 'utf8');
}

/**
 * True when `text` is exactly the canonical form of what it parses to. A verifier uses this to
 * refuse an entry line that was re-serialised (spaces, key order, escapes) even if its meaning is
 * unchanged — the leaf hash covers bytes, not meaning.
 */
export function isCanonicalJson(text: string, opts: CanonicalOptions = { allowFloats: true }): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  try {
    return canonicalJson(parsed, opts) === text;
  } catch {
    return false;
  }
}
