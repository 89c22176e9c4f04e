import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayHoldUnsafeNumbers, parseExact, stringifyExact } from './exact-json.js';

describe('exact JSON numbers', () => {
  const flow = '{"cookie":12284372328023095114,"priority":20000,"speed":1250000000.0,"x":0.1}';

  it('keeps a 64-bit cookie digit for digit, where JSON.parse rounds it', () => {
    assert.equal(JSON.stringify(JSON.parse(flow)).includes('12284372328023095114'), false);
    const exact = stringifyExact(parseExact(flow));
    assert.match(exact, /"cookie":12284372328023095114,/);
    assert.deepEqual(JSON.parse(exact.replace('12284372328023095114', '0')), {
      cookie: 0,
      priority: 20000,
      speed: 1250000000,
      x: 0.1,
    });
  });

  it('gives plain numbers where a JavaScript number is exact', () => {
    const parsed = parseExact('{"a":1,"b":-2.5,"c":[3]}') as Record<string, unknown>;
    assert.deepEqual(parsed, { a: 1, b: -2.5, c: [3] });
  });

  it('takes the exact path only for bodies with 16 digits in a row', () => {
    assert.ok(mayHoldUnsafeNumbers(flow));
    assert.ok(!mayHoldUnsafeNumbers('{"cookie":9007199254740,"name":"kytos/x"}'));
  });
});
