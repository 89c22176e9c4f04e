import { randomBytes } from 'node:crypto';

/**
 * JSON numbers a JavaScript number cannot carry, kept digit for digit. OpenFlow cookies are
 * 64-bit, so Kytos' flow events carry them, and JSON.parse would round them: a rounded cookie
 * names another flow. Node 20 has neither JSON.parse's source text access nor JSON.rawJSON, so
 * such a number is carried as a marked string from parsing to serialization, and JSON.parse and
 * JSON.stringify stay native (a pure-JS exact parser measured nine times slower on a 75 KB batch).
 */

/**
 * Where a double can lose a number: 16 significant digits or more (2^53 has 16 digits; a dot
 * may split them), or an exponent of three digits (overflow to Infinity, underflow to 0).
 */
const LOSSY_NUMBER = /(?:\d\.?){16,}|[eE][-+]?\d{3,}/g;
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
const NUMBER_CHAR = /[-+.0-9eE]/;

export interface ParsedJson {
  value: unknown;
  /** Whether numbers were carried as marked strings: serialize with stringifyExact. */
  exactNumbers: boolean;
}

/** JSON.parse, but a number token a double would change comes back as a marked string. */
export function parseJsonExact(text: string): ParsedJson {
  LOSSY_NUMBER.lastIndex = 0;
  if (!LOSSY_NUMBER.test(text)) return { value: JSON.parse(text) as unknown, exactNumbers: false };
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

/**
 * Wraps every number token a double would change in a marked string. Quotes are followed from
 * the start, so digits inside strings are left alone. A token that is not a JSON number
 * (leading zero or plus, a bare exponent) is refused here, since quoting it would hide it from
 * JSON.parse; any other flaw stays in the text for JSON.parse to report.
 */
function markLossyNumbers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let scanned = 0;
  let inString = false;
  LOSSY_NUMBER.lastIndex = 0;
  for (let run = LOSSY_NUMBER.exec(text); run !== null; run = LOSSY_NUMBER.exec(text)) {
    for (let quote = text.indexOf('"', scanned); quote !== -1 && quote < run.index;) {
      if (!isEscaped(text, quote)) inString = !inString;
      quote = text.indexOf('"', quote + 1);
    }
    scanned = run.index;
    if (inString) continue;
    let start = run.index;
    while (start > copied && NUMBER_CHAR.test(text[start - 1] ?? '')) start--;
    let end = run.index + run[0].length;
    while (end < text.length && NUMBER_CHAR.test(text[end] ?? '')) end++;
    const token = text.slice(start, end);
    if (!JSON_NUMBER.test(token)) {
      throw new SyntaxError(`${JSON.stringify(token.slice(0, 40))} is not a JSON number`);
    }
    parts.push(text.slice(copied, start), JSON.stringify(MARK + token));
    copied = end;
    scanned = end;
    LOSSY_NUMBER.lastIndex = end;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  while (text[quote - 1 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 1;
}
