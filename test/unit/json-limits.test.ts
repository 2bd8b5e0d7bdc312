import fc from 'fast-check';
import { findDuplicateKey } from '../../functions/shared/json-limits';

describe('findDuplicateKey', () => {
  it.each([
    ['a root key', '{"amount":1,"amount":1000}', 'amount'],
    ['a nested key', '{"content":{"a":1,"b":2,"a":3}}', 'content.a'],
    [
      'a key in an array item',
      '{"items":[{"x":1},{"y":1,"y":2}]}',
      'items[1].y',
    ],
    ['an escaped twin', '{"a":1,"\\u0061":2}', 'a'],
    ['an empty key twice', '{"":1,"":2}', ''],
  ])('finds %s', (_, text, path) => {
    expect(findDuplicateKey(text)).toBe(path);
  });

  it.each([
    ['equal keys in two objects', '{"a":{"k":1},"b":{"k":2}}'],
    ['a value equal to a key', '{"":"x","x":1}'],
    ['keys with quotes and braces', '{"a\\"{":1,"a\\"[":2,"b":"}]"}'],
    ['an array of strings', '["a","a"]'],
    ['a scalar body', '"a"'],
  ])('accepts %s', (_, text) => {
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it('accepts any JSON that JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findDuplicateKey(JSON.stringify(value))).toBeUndefined();
      }),
    );
  });

  it('finds a key repeated in any object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.jsonValue(),
        (object, extra) => {
          const [key] = Object.keys(object) as [string];
          const text = `${JSON.stringify(object).slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(extra)}}`;
          expect(findDuplicateKey(text)).toBe(key);
        },
      ),
    );
  });
});
