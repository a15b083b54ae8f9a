import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CanonicalJsonError, canonicalJson, parseCanonicalJson } from '../../../electron/domain/canonical.js';

describe('canonicalJson', () => {
  test('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  test('the same value built in a different key order gives the same text', () => {
    const a: Record<string, number> = {};
    a.x = 1;
    a.y = 2;
    const b: Record<string, number> = {};
    b.y = 2;
    b.x = 1;
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  test('escapes strings as JSON does (quotes, control characters, non-ASCII kept)', () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001收' })).toBe('{"s":"a\\"b\\\\c\\n\\u0001收"}');
  });

  test.each([
    ['a float', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['undefined', undefined],
    ['a bigint', 10n],
    ['a function', () => 1],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson({ v: value })).toThrow(CanonicalJsonError);
  });

  test('names where the bad value is', () => {
    try {
      canonicalJson({ flags: [{ params: { ratio: 3.5 } }] });
      expect.unreachable();
    } catch (e) {
      expect((e as CanonicalJsonError).path).toBe('$.flags[0].params.ratio');
    }
  });

  test('refuses cycles and sparse arrays, but not a shared (acyclic) object', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalJson([1, , 3])).toThrow(/sparse/);
    const shared = { n: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"n":1},"b":{"n":1}}');
  });

  test('-0 is written as 0', () => {
    expect(canonicalJson(-0)).toBe('0');
  });
});

describe('parseCanonicalJson', () => {
  test('accepts canonical text and refuses the same value written otherwise', () => {
    expect(parseCanonicalJson('{"a":1,"b":[true]}')).toEqual({ a: 1, b: [true] });
    expect(() => parseCanonicalJson('{"b":[true],"a":1}')).toThrow(/canonical/);
    expect(() => parseCanonicalJson('{"a": 1}')).toThrow(/canonical/);
    expect(() => parseCanonicalJson('{"a":1.0}')).toThrow(/canonical/);
    expect(() => parseCanonicalJson('{"a":1,"a":1}')).toThrow(/canonical/);
    expect(() => parseCanonicalJson('{"a":1.5}')).toThrow(CanonicalJsonError);
    expect(() => parseCanonicalJson('{"a":')).toThrow(/not JSON/);
  });

  const jsonValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger(),
      fc.string({ unit: 'grapheme' }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  test('property: canonical text parses back to an equal value and is a fixed point', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        const text = canonicalJson(v);
        const back = parseCanonicalJson(text);
        expect(canonicalJson(back)).toBe(text);
        expect(back).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
