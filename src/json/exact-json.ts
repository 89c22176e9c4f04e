import { randomBytes } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';

/**
 * JSON numbers a JavaScript number cannot carry, kept digit for digit. OpenFlow cookies are
 * 64-bit, so Kytos' flow events carry them, and JSON.parse would round them: a rounded cookie
 * names another flow. Node 20 has neither JSON.parse's source text access nor JSON.rawJSON, so
 * such a number is carried as a marked string from parsing to serialization, and JSON.parse and
 * JSON.stringify stay native (a pure-JS exact parser measured several times slower).
 */

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

/**
 * JSON.parse, but a number token a double would change comes back as a marked string. The
 * marking pass reads the UTF-8 bytes (a multi-byte character never holds a quote, backslash or
 * digit byte) and gives the event loop a turn every MARKING_SLICE_MS, so that a body of a million
 * long numbers does not hold it for seconds; JSON.parse itself then runs once, natively.
 */
export async function parseJsonExact(input: Buffer | string): Promise<ParsedJson> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const marked = await markLossyNumbers(bytes);
  return {
    value: JSON.parse((marked ?? bytes).toString('utf8')) as unknown,
    exactNumbers: marked !== undefined,
  };
}

/** JSON.stringify, writing carried numbers back as the digits they came with. */
export function stringifyExact(value: unknown): string {
  const json = JSON.stringify(value);
  // Most events of a batch hold no carried number: a plain search spares them the regex.
  return json.includes(MARK_ESCAPED) ? json.replace(MARK_IN_OUTPUT, '$1') : json;
}

/** Nodes a value may hold to be written by one JSON.stringify call rather than walked. */
const WHOLE_VALUE_NODES = 512;
/**
 * The deepest nesting written: about what JSON.stringify's stack took before, and what a
 * consumer's recursive parser may be asked to read.
 */
export const MAX_WRITTEN_DEPTH = 10_000;

/**
 * stringifyExact for a value of any size, giving the event loop a turn every MARKING_SLICE_MS:
 * a container of more than WHOLE_VALUE_NODES nodes is walked (with a stack of its own), the
 * smaller values inside it written by JSON.stringify. The same text as stringifyExact, for what
 * JSON.parse makes (plain objects, arrays, primitives); a RangeError past MAX_WRITTEN_DEPTH.
 */
export async function stringifyExactInSlices(value: unknown): Promise<string> {
  const parts: string[] = [];
  let written = 0;
  const write = (json: string) => {
    parts.push(json.includes(MARK_ESCAPED) ? json.replace(MARK_IN_OUTPUT, '$1') : json);
    written += json.length;
  };
  const stack: WalkFrame[] = [];
  const visit = (child: unknown) => {
    if (isWalkable(child) && nodesUpTo(child, WHOLE_VALUE_NODES) > WHOLE_VALUE_NODES) {
      const keys = Array.isArray(child) ? undefined : Object.keys(child);
      if (stack.length === MAX_WRITTEN_DEPTH) throw new RangeError('nested too deeply');
      write(keys ? '{' : '[');
      stack.push({ container: child, keys, next: 0, wroteOne: false });
    } else {
      write(JSON.stringify(child) ?? 'null');
    }
  };
  const slice = new WorkSlice();
  visit(value);
  for (let frame = stack.at(-1); frame; frame = stack.at(-1)) {
    if (slice.isOverAt(written)) await slice.pause();
    const { container, keys } = frame;
    const length = keys ? keys.length : (container as unknown[]).length;
    if (frame.next === length) {
      write(keys ? '}' : ']');
      stack.pop();
      continue;
    }
    // The small members that follow, up to WHOLE_VALUE_NODES nodes, in one JSON.stringify call.
    const fields = container as Record<string, unknown>;
    const valueAt = (index: number) => (keys ? fields[keys[index]] : fields[index]);
    let end = frame.next;
    for (let room = WHOLE_VALUE_NODES; end < length; end++) {
      const nodes = nodesUpTo(valueAt(end), room);
      if (nodes > room) break;
      room -= nodes;
    }
    if (end > frame.next) {
      const group = keys
        ? groupOf(fields, keys, frame.next, end)
        : (container as unknown[]).slice(frame.next, end);
      const members = JSON.stringify(group).slice(1, -1);
      if (members !== '') {
        write(frame.wroteOne ? `,${members}` : members);
        frame.wroteOne = true;
      }
      frame.next = end;
      continue;
    }
    // A member too big to write at once: walked in its turn.
    const member = valueAt(frame.next);
    const key = keys?.[frame.next];
    frame.next++;
    if (key !== undefined && !isWritable(member)) continue;
    const separator = frame.wroteOne ? ',' : '';
    write(key === undefined ? separator : `${separator}${JSON.stringify(key)}:`);
    frame.wroteOne = true;
    visit(isWritable(member) ? member : null);
  }
  return parts.join('');
}

/** Fields `from` to `to` of an object, in its order, `__proto__` an own field as JSON.parse makes it. */
function groupOf(
  fields: Record<string, unknown>,
  keys: readonly string[],
  from: number,
  to: number,
): Record<string, unknown> {
  const group = Object.create(null) as Record<string, unknown>;
  for (let i = from; i < to; i++) {
    const key = keys[i];
    group[key] = fields[key];
  }
  return group;
}

interface WalkFrame {
  container: object;
  /** An object's keys; undefined for an array. */
  keys: string[] | undefined;
  next: number;
  wroteOne: boolean;
}

/** A plain array or object (what JSON.parse makes): anything else is left to JSON.stringify. */
function isWalkable(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value);
}

/** What JSON.stringify writes in an object (it leaves out the rest, and writes null in arrays). */
function isWritable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** The nodes `value` holds, itself included; limit + 1 once past `limit` (counting stops). */
function nodesUpTo(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 1;
  const pending: unknown[] = [value];
  let count = 0;
  while (pending.length > 0) {
    const next = pending.pop();
    if (++count + pending.length > limit) return limit + 1;
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      for (let i = 0; i < next.length && count + pending.length <= limit; i++)
        pending.push(next[i]);
    } else {
      for (const key in next) {
        if (count + pending.length > limit) break;
        pending.push((next as Record<string, unknown>)[key]);
      }
    }
  }
  return count;
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

/** The longest stretch of marking work between two turns of the event loop. */
const MARKING_SLICE_MS = 10;
/** Bytes read between two looks at the clock. */
const BYTES_PER_CLOCK_CHECK = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
/** A carried number's JSON text is MARK_OPEN, its token, then a closing quote. */
const MARK_OPEN = Buffer.from(JSON.stringify(MARK).slice(0, -1), 'utf8');

/**
 * Wraps every number token a double would change in a marked string: strings are skipped from
 * quote to quote (their digits are left alone), and only the bytes between them are read one by
 * one. A double can change a number of 16 significant digits or more (2^53 has 16; a dot may
 * split them) or of a three-digit exponent (overflow to Infinity, underflow to 0). Such a token
 * that is not a JSON number (leading zero or plus, a bare exponent) or that stands where only a
 * string may (an object key) is refused here, since quoting it would hide it from JSON.parse; any
 * other flaw stays in the text for JSON.parse. Undefined when no token needs it.
 */
async function markLossyNumbers(bytes: Buffer): Promise<Buffer | undefined> {
  // Where each token to carry starts and ends, found first so that the output is sized once.
  const spans: number[] = [];
  const slice = new WorkSlice();
  let at = 0;
  while (at < bytes.length) {
    if (slice.isOverAt(at)) await slice.pause();
    const code = bytes[at];
    if (code === QUOTE) {
      at = afterString(bytes, at);
    } else if (startsNumber(code)) {
      const end = lossyNumberEnd(bytes, at);
      if (end < 0) {
        at = -end;
      } else {
        checkToken(bytes, at, end);
        spans.push(at, end);
        at = end;
      }
    } else {
      at++;
    }
  }
  if (spans.length === 0) return undefined;
  const carried = spans.length / 2;
  const out = Buffer.allocUnsafe(bytes.length + carried * (MARK_OPEN.length + 1));
  let written = 0;
  let copied = 0;
  slice.restart();
  for (let span = 0; span < spans.length; span += 2) {
    const start = spans[span];
    const end = spans[span + 1];
    if (slice.isOverAt(start)) await slice.pause();
    // Byte by byte: most runs are a few bytes, where Buffer.copy's own cost is the larger.
    for (let from = copied; from < start; from++) out[written++] = bytes[from];
    for (let i = 0; i < MARK_OPEN.length; i++) out[written++] = MARK_OPEN[i];
    for (let from = start; from < end; from++) out[written++] = bytes[from];
    out[written++] = QUOTE;
    copied = end;
  }
  bytes.copy(out, written, copied);
  return out;
}

/** Lets the event loop turn once a slice of work has lasted MARKING_SLICE_MS. */
class WorkSlice {
  private startedAt = performance.now();
  private checkAt = BYTES_PER_CLOCK_CHECK;

  restart(): void {
    this.checkAt = BYTES_PER_CLOCK_CHECK;
  }

  /** Whether `position` passed a check and the slice has lasted long enough. */
  isOverAt(position: number): boolean {
    if (position < this.checkAt) return false;
    this.checkAt = position + BYTES_PER_CLOCK_CHECK;
    return performance.now() - this.startedAt >= MARKING_SLICE_MS;
  }

  async pause(): Promise<void> {
    await setImmediate();
    this.startedAt = performance.now();
  }
}

/** The index after the string that opens at `quote` (the end if it never closes). */
function afterString(bytes: Buffer, quote: number): number {
  let close = bytes.indexOf(QUOTE, quote + 1);
  while (close !== -1 && isEscaped(bytes, close)) close = bytes.indexOf(QUOTE, close + 1);
  return close === -1 ? bytes.length : close + 1;
}

function isEscaped(bytes: Buffer, quote: number): boolean {
  let backslashes = 0;
  while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
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
 * The run of number characters (`-+.0-9eE`) that starts at `start`, read once: where it ends
 * when a double could change it (16 digits or more before the exponent, or an exponent of three
 * digits or more), else minus where it ends.
 */
function lossyNumberEnd(bytes: Buffer, start: number): number {
  let digits = 0;
  let exponentDigits = 0;
  let inExponent = false;
  let end = start;
  for (; end < bytes.length; end++) {
    const code = bytes[end];
    if (isDigit(code)) {
      if (inExponent) exponentDigits++;
      else digits++;
    } else if ((code | 0x20) === 0x65) {
      inExponent = true;
    } else if (code !== 0x2d && code !== 0x2b && code !== 0x2e) {
      break;
    }
  }
  return digits >= 16 || exponentDigits >= 3 ? end : -end;
}

function checkToken(bytes: Buffer, start: number, end: number): void {
  const quoted = () => JSON.stringify(bytes.toString('latin1', start, Math.min(end, start + 40)));
  if (!isJsonNumber(bytes, start, end)) throw new SyntaxError(`${quoted()} is not a JSON number`);
  let next = end;
  while (isJsonWhitespace(bytes[next])) next++;
  if (bytes[next] === COLON) throw new SyntaxError(`${quoted()} cannot be an object key`);
}

/** RFC 8259's number grammar (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?`) over bytes. */
function isJsonNumber(bytes: Buffer, start: number, end: number): boolean {
  let at = start;
  const digitsFrom = (from: number) => {
    let to = from;
    while (to < end && isDigit(bytes[to])) to++;
    return to;
  };
  if (bytes[at] === MINUS) at++;
  if (bytes[at] === ZERO) at++;
  else if (at < end && isDigit(bytes[at])) at = digitsFrom(at);
  else return false;
  if (at < end && bytes[at] === DOT) {
    const fraction = digitsFrom(at + 1);
    if (fraction === at + 1) return false;
    at = fraction;
  }
  if (at < end && (bytes[at] | 0x20) === 0x65) {
    at++;
    if (bytes[at] === PLUS || bytes[at] === MINUS) at++;
    const exponent = digitsFrom(at);
    if (exponent === at) return false;
    at = exponent;
  }
  return at === end;
}

function isJsonWhitespace(code: number | undefined): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
