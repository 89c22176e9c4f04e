/**
 * JSON numbers a JavaScript number cannot carry, kept digit for digit. OpenFlow cookies are
 * 64-bit, so Kytos' flow events carry them, and JSON.parse would round them: a rounded cookie
 * names another flow. Node 20 has neither JSON.parse's source text access nor JSON.rawJSON, so
 * such a number is carried as a marked string from parsing to serialization, and JSON.parse and
 * JSON.stringify stay native (a pure-JS exact parser measured nine times slower on a 75 KB batch).
 */

/** 16 digits in a row: where rounding can start (2^53 has 16 digits). */
const LONG_DIGITS = /\d{16,}/g;
/** How a carried number looks once parsed: a string no JSON sender writes (U+0000 first). */
const MARK = '\u0000exact:';
/** The same in JSON text. */
const ESCAPED_MARK = '\\u0000exact:';
const MARKED_IN_OUTPUT = /"\\u0000exact:([-+.0-9eE]+)"/g;
const NUMBER_CHAR = /[-+.0-9eE]/;

export interface ParsedJson {
  value: unknown;
  /** Whether numbers were carried as marked strings: serialize with stringifyExact. */
  exactNumbers: boolean;
}

/** JSON.parse, but a number token with 16 or more digits in a row comes back as a marked string. */
export function parseJsonExact(text: string): ParsedJson {
  LONG_DIGITS.lastIndex = 0;
  if (!LONG_DIGITS.test(text)) return { value: JSON.parse(text) as unknown, exactNumbers: false };
  if (text.includes(ESCAPED_MARK)) {
    throw new SyntaxError(`it holds the sequence ${ESCAPED_MARK}, which this service reserves`);
  }
  const marked = markLongNumbers(text);
  return { value: JSON.parse(marked) as unknown, exactNumbers: marked !== text };
}

/** JSON.stringify, writing carried numbers back as the digits they came with. */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value).replace(MARKED_IN_OUTPUT, '$1');
}

/** A carried number as the plain number it was (for fields whose type is checked), else the value. */
export function originalOf(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(MARK)
    ? Number(value.slice(MARK.length))
    : value;
}

/**
 * Wraps every number token that holds a 16-digit run in a marked string. Quotes are followed
 * from the start, so digits inside strings are left alone; a text that is not JSON stays not
 * JSON (JSON.parse reports it).
 */
function markLongNumbers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let scanned = 0;
  let inString = false;
  LONG_DIGITS.lastIndex = 0;
  for (let run = LONG_DIGITS.exec(text); run !== null; run = LONG_DIGITS.exec(text)) {
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
    parts.push(text.slice(copied, start), `"${ESCAPED_MARK}${text.slice(start, end)}"`);
    copied = end;
    scanned = end;
    LONG_DIGITS.lastIndex = end;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  while (text[quote - 1 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 1;
}
