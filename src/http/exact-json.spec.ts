import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { originalOf, parseJsonExact, stringifyExact } from './exact-json.js';

describe('exact JSON numbers', () => {
  const flow =
    '{"cookie":12284372328023095114,"priority":20000,"speed":1250000000.0,' +
    '"ratio":0.12345678901234567891,"big":-1.2345678901234567e300,"ok":1234}';

  it('keeps 64-bit cookies and long fractions digit for digit, where JSON.parse rounds them', () => {
    assert.equal(JSON.stringify(JSON.parse(flow)).includes('12284372328023095114'), false);
    const { value, exactNumbers } = parseJsonExact(flow);
    assert.ok(exactNumbers);
    const out = stringifyExact(value);
    assert.match(out, /"cookie":12284372328023095114,/);
    assert.match(out, /"ratio":0.12345678901234567891,/);
    assert.match(out, /"big":-1.2345678901234567e300,/);
    assert.match(out, /"priority":20000,"speed":1250000000,/);
    assert.deepEqual(JSON.parse(out), JSON.parse(flow));
  });

  it('leaves digits inside strings (escaped quotes too) and short numbers alone', () => {
    const text = '{"serial":"12345678901234567890","q":"say \\"12345678901234567890\\"","n":[1,2]}';
    const { value, exactNumbers } = parseJsonExact(text);
    assert.equal(exactNumbers, false);
    assert.deepEqual(value, JSON.parse(text));
    assert.deepEqual(parseJsonExact('{"a":1}'), { value: { a: 1 }, exactNumbers: false });
  });

  it('gives the type checks a number, not the carried string', () => {
    const { value } = parseJsonExact('{"name":12345678901234567890}');
    const { name } = value as { name: unknown };
    assert.equal(typeof originalOf(name), 'number');
    assert.equal(originalOf('kytos/x'), 'kytos/x');
  });

  it('refuses the reserved sequence rather than guessing, and reports bad JSON as JSON.parse does', () => {
    assert.throws(() => parseJsonExact('{"a":"\\u0000exact:1","b":12345678901234567}'), /reserves/);
    assert.throws(() => parseJsonExact('{"a":12345678901234567890,}'), SyntaxError);
  });
});
