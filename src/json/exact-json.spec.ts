import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import {
  MAX_WRITTEN_DEPTH,
  originalOf,
  parseJsonExact,
  stringifyExact,
  stringifyExactInSlices,
} from './exact-json.js';

describe('exact JSON numbers', () => {
  const flow =
    '{"cookie":12284372328023095114,"priority":20000,"speed":1250000000.0,' +
    '"ratio":0.12345678901234567891,"big":-1.2345678901234567e300,"ok":1234}';

  it('keeps 64-bit cookies and long fractions digit for digit, where JSON.parse rounds them', async () => {
    assert.equal(JSON.stringify(JSON.parse(flow)).includes('12284372328023095114'), false);
    const { value, exactNumbers } = await parseJsonExact(flow);
    assert.ok(exactNumbers);
    const out = stringifyExact(value);
    assert.match(out, /"cookie":12284372328023095114,/);
    assert.match(out, /"ratio":0.12345678901234567891,/);
    assert.match(out, /"big":-1.2345678901234567e300,/);
    assert.match(out, /"priority":20000,"speed":1250000000,/);
    assert.deepEqual(JSON.parse(out), JSON.parse(flow));
  });

  it('leaves digits inside strings (escaped quotes too) and short numbers alone', async () => {
    const text = '{"serial":"12345678901234567890","q":"say \\"12345678901234567890\\"","n":[1,2]}';
    const { value, exactNumbers } = await parseJsonExact(text);
    assert.equal(exactNumbers, false);
    assert.deepEqual(value, JSON.parse(text));
    assert.deepEqual(await parseJsonExact('{"a":1}'), { value: { a: 1 }, exactNumbers: false });
  });

  it('gives the type checks a number, not the carried string', async () => {
    const { value } = await parseJsonExact('{"name":12345678901234567890}');
    const { name } = value as { name: unknown };
    assert.equal(typeof originalOf(name), 'number');
    assert.equal(originalOf('kytos/x'), 'kytos/x');
  });

  it('accepts only RFC 8259 numbers, and reports other bad JSON as JSON.parse does', async () => {
    for (const bad of [
      '{"n":01234567890123456789}',
      '{"n":+1234567890123456789}',
      '{"n":1234567890123456789e}',
      '{"n":1234567890123456789.}',
      '{"n":-.1234567890123456789}',
      '[1e+]',
      '{"a":12345678901234567890,}',
      '[12345678901234567890 1]',
      '{12345678901234567890:1}',
      '{"a":{"b":1,-1e400 :2}}',
    ]) {
      await assert.rejects(parseJsonExact(bad), SyntaxError, bad);
    }
  });

  it('never turns a string into a number, however the sender escapes it', async () => {
    for (const text of [
      '{"a":"\\u0000exact:-","n":12345678901234567890}',
      '{"a":"\\u0000\\u0065xact:-","n":12345678901234567890}',
      '{"a":"\\u0000exact:1","n":1e400}',
    ]) {
      const out = stringifyExact((await parseJsonExact(text)).value);
      assert.deepEqual(
        (JSON.parse(out) as { a: string }).a,
        (JSON.parse(text) as { a: string }).a,
        text,
      );
    }
  });

  it('keeps numbers a double would overflow, underflow or round, split by a dot or not', async () => {
    const text = '[1e400,-2E-400,123456789012345.6789,0.1000000000000000055511151231257827]';
    assert.equal(stringifyExact((await parseJsonExact(text)).value), text);
  });

  it('gives back, for random documents, the same JSON with long numbers byte for byte', async () => {
    const random = seeded(7);
    for (let round = 0; round < 500; round++) {
      const tree = randomValue(random, 0);
      const input = write(tree, random, true);
      const expected = write(tree, random, false);
      const output = stringifyExact((await parseJsonExact(input)).value);
      assert.equal(output, expected, input);
    }
  });

  it('accepts a damaged document only if it is JSON, and then gives back JSON', async () => {
    const random = seeded(11);
    const pieces = ['"', ':', ',', '{', '}', '[', ']', '\\', '.', 'e', '-', '+', ' ', '0', '7'];
    // Long numbers where a value, a key or a string may stand.
    pieces.push(...LONG_TOKENS, '12284372328023095114:1,');
    let accepted = 0;
    for (let round = 0; round < 3000; round++) {
      let text = write(randomValue(random, 0), random, true);
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * (text.length + 1));
        const cut = random() < 0.5 ? 1 : 0;
        const piece = pieces[Math.floor(random() * pieces.length)] ?? '';
        text = text.slice(0, at) + (random() < 0.7 ? piece : '') + text.slice(at + cut);
      }
      let value: unknown;
      try {
        value = (await parseJsonExact(text)).value;
      } catch {
        continue;
      }
      accepted++;
      assert.doesNotThrow(() => JSON.parse(text), `accepted but not JSON: ${text}`);
      const output = stringifyExact(value);
      assert.doesNotThrow(() => JSON.parse(output), `gave back what is not JSON: ${output}`);
    }
    assert.ok(
      accepted > 300,
      `${accepted} damaged documents still JSON: the test reaches both sides`,
    );
  });
});

describe('exact JSON in slices', () => {
  /** Runs `work` while counting the event loop's turns and the longest wait for one. */
  async function watchLoop<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; turns: number; longestMs: number }> {
    let turns = 0;
    let longestMs = 0;
    let done = false;
    const loop = (async () => {
      for (let last = performance.now(); !done;) {
        await turn();
        const now = performance.now();
        longestMs = Math.max(longestMs, now - last);
        last = now;
        turns++;
      }
    })();
    const result = await work();
    done = true;
    await loop;
    return { result, turns, longestMs };
  }

  it('writes what stringifyExact writes, for random documents too big to write at once', async () => {
    const random = seeded(23);
    for (let round = 0; round < 20; round++) {
      const trees = Array.from({ length: 300 }, () => randomValue(random, 0));
      const input = `{"list":[${trees.map((tree) => write(tree, random, true)).join(',')}],"n":{"deep":${'['.repeat(700)}1${']'.repeat(700)}}}`;
      const { value } = await parseJsonExact(input);
      assert.equal(await stringifyExactInSlices(value), stringifyExact(value));
    }
    const odd = { a: undefined, b: [undefined, () => 1], c: new Date(0), d: 'x' };
    const big = { list: Array.from({ length: 600 }, () => odd) };
    assert.equal(await stringifyExactInSlices(big), JSON.stringify(big));
  });

  it('writes back nesting up to its depth bound, and refuses deeper nesting', async () => {
    const nested = (depth: number) =>
      `${'{"a":['.repeat(depth / 2)}${'7'.repeat(20)}${']}'.repeat(depth / 2)}`;
    const text = nested(MAX_WRITTEN_DEPTH);
    assert.equal(await stringifyExactInSlices((await parseJsonExact(text)).value), text);
    const deeper = (await parseJsonExact(nested(MAX_WRITTEN_DEPTH + 1200))).value;
    await assert.rejects(stringifyExactInSlices(deeper), RangeError);
  });

  it('gives the event loop turns while it reads and writes a million long numbers', async () => {
    const numbers = Array.from({ length: 1_000_000 }, (_, i) =>
      String(9_100_000_000_000_000n + BigInt(i)),
    );
    const text = `{"numbers":[${numbers.join(',')}]}`;
    const parsed = await watchLoop(() => parseJsonExact(Buffer.from(text)));
    const written = await watchLoop(() => stringifyExactInSlices(parsed.result.value));
    assert.equal(written.result, text, 'every number digit for digit');
    // JSON.parse still runs at once: the bound is on the marking and the writing around it.
    assert.ok(parsed.turns > 5, `${parsed.turns} turns while parsing`);
    assert.ok(written.turns > 5, `${written.turns} turns while writing`);
    assert.ok(written.longestMs < 500, `the loop waited ${written.longestMs.toFixed(0)} ms`);
  });
});

/** A JSON value with numbers kept as their source tokens. */
type Tree = { number: string } | string | boolean | null | Tree[] | { entries: [string, Tree][] };

const LONG_TOKENS = [
  '12284372328023095114',
  '-9223372036854775808',
  '18446744073709551615',
  '0.12345678901234567891',
  '1.2345678901234567e300',
  '1e400',
  '123456789012345.6789',
];
const SHORT_TOKENS = ['0', '-1', '3.5', '20000', '1E5', '-0.25', '1e-7', '1.50'];
const STRINGS = ['kytos/x', '12345678901234567890', 'quote " and \\', 'é ☃', '\u0000x', ''];

function randomValue(random: () => number, depth: number): Tree {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 6);
  if (kind === 0) return { number: pick(LONG_TOKENS) };
  if (kind === 1) return { number: pick(SHORT_TOKENS) };
  if (kind === 2) return pick(STRINGS);
  if (kind === 3) return pick([true, false, null]);
  const size = Math.floor(random() * 4);
  if (kind === 4) return Array.from({ length: size }, () => randomValue(random, depth + 1));
  return {
    entries: Array.from({ length: size }, (_, i) => [
      `k${i}${pick(STRINGS)}`,
      randomValue(random, depth + 1),
    ]),
  };
}

/**
 * The tree as JSON text: `noisy`, as a sender may write it (spaces, escaped letters and
 * slashes); otherwise as the service must give it back (JSON.stringify's form, except that the
 * long numbers stay exactly as written).
 */
function write(tree: Tree, random: () => number, noisy: boolean): string {
  const space = () =>
    noisy && random() < 0.3 ? ' \n\t'.slice(0, 1 + Math.floor(random() * 3)) : '';
  const text = (value: string) =>
    noisy
      ? `"${[...value].map((c) => (/[a-z/]/.test(c) && random() < 0.3 ? escaped(c) : JSON.stringify(c).slice(1, -1))).join('')}"`
      : JSON.stringify(value);
  if (tree === null || typeof tree === 'boolean') return String(tree);
  if (typeof tree === 'string') return text(tree);
  if (Array.isArray(tree)) {
    return `[${space()}${tree.map((item) => write(item, random, noisy)).join(`${space()},${space()}`)}${space()}]`;
  }
  if ('number' in tree) {
    const long = LONG_TOKENS.includes(tree.number);
    return noisy || long ? tree.number : JSON.stringify(Number(tree.number));
  }
  // Keys are distinct and never integer-like (JSON.parse would move those first).
  return `{${space()}${tree.entries
    .map(([key, value]) => `${text(key)}${space()}:${space()}${write(value, random, noisy)}`)
    .join(`${space()},`)}${space()}}`;
}

/** A character written as a sender may: a \\uXXXX escape, or \\/ for a slash. */
function escaped(c: string): string {
  return c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
