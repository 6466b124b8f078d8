import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalBytes, canonicalJson, isCanonicalJson } from '../src/audit/canonical.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { z: [3, { y: true, x: null }], c: 'é' } })).toBe('{"a":{"c":"é","z":[3,{"x":null,"y":true}]},"b":1}');
  });
  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, a: 4, A: 5 })).toBe('{"\\r":2,"1":3,"A":5,"a":4,"€":1}');
  });
  it('is UTF-8 and keeps non-ASCII as characters', () => {
    expect(canonicalBytes({ officer: '张三' }).toString('hex')).toBe(Buffer.from('{"officer":"张三"}', 'utf8').toString('hex'));
  });
  it('same value, any key order, same bytes', () => {
    expect(canonicalJson({ x: 1, y: [1, 2], z: 'a' })).toBe(canonicalJson({ z: 'a', y: [1, 2], x: 1 }));
  });
  it('rejects floats, NaN, Infinity and unsafe integers', () => {
    for (const v of [1.5, NaN, Infinity, -Infinity, 2 ** 60]) expect(() => canonicalJson({ size: v })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: [1, { b: 0.1 }] })).toThrow(/\$\.a\[1\]\.b/);
  });
  it('allows finite floats only when asked', () => {
    expect(canonicalJson({ seconds: 1.25 }, { allowFloats: true })).toBe('{"seconds":1.25}');
    expect(() => canonicalJson({ seconds: NaN }, { allowFloats: true })).toThrow(CanonicalJsonError);
  });
  it('writes -0 as 0 and bigint as digits', () => {
    expect(canonicalJson([-0, 12345678901234567890n])).toBe('[0,12345678901234567890]');
  });
  it('rejects lone surrogates, undefined in arrays, Dates, functions, cycles', () => {
    expect(() => canonicalJson({ s: 'a\uD800b' })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([undefined])).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ d: new Date() })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(CanonicalJsonError);
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => canonicalJson(o)).toThrow(CanonicalJsonError);
  });
  it('drops undefined members, keeps null', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });
  it('escapes control characters as JSON.stringify does', () => {
    expect(canonicalJson({ p: 'a\u0001\n"\\' })).toBe('{"p":"a\\u0001\\n\\"\\\\"}');
  });
  it('recognises its own output and nothing re-serialised', () => {
    const t = canonicalJson({ b: [1, 2], a: 'x' });
    expect(isCanonicalJson(t)).toBe(true);
    expect(isCanonicalJson('{"b":[1,2],"a":"x"}')).toBe(false);
    expect(isCanonicalJson('{"a": "x","b":[1,2]}')).toBe(false);
    expect(isCanonicalJson('{"a":"\\u0078","b":[1,2]}')).toBe(false);
    expect(isCanonicalJson('not json')).toBe(false);
  });
});
