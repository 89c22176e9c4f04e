import { isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * 16 digits in a row: a number JSON.parse may round (2^53 has 16 digits). OpenFlow cookies are
 * 64-bit, so Kytos' flow events carry such numbers, and a rounded cookie names another flow.
 */
const LONG_DIGITS = /\d{16}/;

/** Whether the body may hold a number that a JavaScript number cannot carry exactly. */
export function mayHoldUnsafeNumbers(text: string): boolean {
  return LONG_DIGITS.test(text);
}

/**
 * Parses keeping every number exact: the ones a JavaScript number carries become numbers, the
 * others stay LosslessNumbers (their digits), which `stringifyExact` writes back unchanged.
 */
export function parseExact(text: string): unknown {
  return parse(text, null, (digits) =>
    isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits),
  );
}

/** JSON.stringify's output, but LosslessNumbers are written as the digits they came with. */
export function stringifyExact(value: unknown): string {
  const json = stringify(value);
  if (json === undefined) throw new TypeError('the value has no JSON form');
  return json;
}
