import { randomBytes } from 'node:crypto';

/**
 * JSON numbers a JavaScript number cannot carry, kept digit for digit. OpenFlow cookies are
 * 64-bit, so Kytos' flow events carry them, and JSON.parse would round them: a rounded cookie
 * names another flow. Node 20 has neither JSON.parse's source text access nor JSON.rawJSON, so
 * such a number is carried as a marked string from parsing to serialization, and JSON.parse and
 * JSON.stringify stay native (a pure-JS exact parser measured several times slower).
 */

/** RFC 8259's number grammar: what a carried token must be, or the body is not JSON. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
/**
 * How a carried number looks once parsed. It starts with U+0000, which a JSON text can hold in
 * a string only as an escape, and holds a secret drawn at start: no sender can write a string
 * that comes out as the marker, however it escapes it.
 */
const MARK = `\u0000${randomBytes(12).toString('hex')}:`;
/** How JSON.stringify writes the marker's first character: every carried number has it. */
const MARK_ESCAPED = '\\u0000';
const MARK_IN_OUTPUT = new RegExp(`"\\\\u0000${MARK.slice(1)}([-+.0-9eE]+)"`, 'g');

export interface ParsedJson {
  value: unknown;
  /** Whether numbers were carried as marked strings: serialize with stringifyExact. */
  exactNumbers: boolean;
}

/** JSON.parse, but a number token a double would change comes back as a marked string. */
export function parseJsonExact(text: string): ParsedJson {
  const marked = markLossyNumbers(text);
  return { value: JSON.parse(marked) as unknown, exactNumbers: marked !== text };
}

/** JSON.stringify, writing carried numbers back as the digits they came with. */
export function stringifyExact(value: unknown): string {
  const json = JSON.stringify(value);
  // Most events of a batch hold no carried number: a plain search spares them the regex.
  return json.includes(MARK_ESCAPED) ? json.replace(MARK_IN_OUTPUT, '$1') : json;
}

/** The digits a carried number came with; undefined for any other value. */
export function exactDigitsOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(MARK) ? value.slice(MARK.length) : undefined;
}

/** A carried number as the plain number it was (for fields whose type is checked), else the value. */
export function originalOf(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(MARK)
    ? Number(value.slice(MARK.length))
    : value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Wraps every number token a double would change in a marked string, in one pass: strings are
 * skipped from quote to quote (their digits are left alone), and only the text between them is
 * read character by character. A double can change a number of 16 significant digits or more
 * (2^53 has 16; a dot may split them) or of a three-digit exponent (overflow to Infinity,
 * underflow to 0). Such a token that is not a JSON number (leading zero or plus, a bare
 * exponent) or that stands where only a string may (an object key) is refused here, since
 * quoting it would hide it from JSON.parse; any other flaw stays in the text for JSON.parse.
 */
function markLossyNumbers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = afterString(text, at);
    } else if (startsNumber(code)) {
      const { end, lossy } = numberAt(text, at);
      if (lossy) {
        parts.push(text.slice(copied, at), JSON.stringify(MARK + checkedToken(text, at, end)));
        copied = end;
      }
      at = end;
    } else {
      at++;
    }
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/** The index after the string that opens at `quote` (the text's end if it never closes). */
function afterString(text: string, quote: number): number {
  let close = text.indexOf('"', quote + 1);
  while (close !== -1 && isEscaped(text, close)) close = text.indexOf('"', close + 1);
  return close === -1 ? text.length : close + 1;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/** `-`, `+`, `.` or a digit: what a number token (or a malformed one) can start with. */
function startsNumber(code: number): boolean {
  return isDigit(code) || code === 0x2d || code === 0x2b || code === 0x2e;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * The run of number characters (`-+.0-9eE`) that starts at `start`, read once: where it ends, and
 * whether a double could change it (16 digits or more before the exponent, or an exponent of
 * three digits or more).
 */
function numberAt(text: string, start: number): { end: number; lossy: boolean } {
  let digits = 0;
  let exponentDigits = 0;
  let inExponent = false;
  let end = start;
  for (; end < text.length; end++) {
    const code = text.charCodeAt(end);
    if (isDigit(code)) {
      if (inExponent) exponentDigits++;
      else digits++;
    } else if ((code | 0x20) === 0x65) {
      inExponent = true;
    } else if (code !== 0x2d && code !== 0x2b && code !== 0x2e) {
      break;
    }
  }
  return { end, lossy: digits >= 16 || exponentDigits >= 3 };
}

function checkedToken(text: string, start: number, end: number): string {
  const token = text.slice(start, end);
  if (!JSON_NUMBER.test(token)) {
    throw new SyntaxError(`${JSON.stringify(token.slice(0, 40))} is not a JSON number`);
  }
  let next = end;
  while (isJsonWhitespace(text.charCodeAt(next))) next++;
  if (text.charCodeAt(next) === COLON) {
    throw new SyntaxError(`${JSON.stringify(token.slice(0, 40))} cannot be an object key`);
  }
  return token;
}

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
