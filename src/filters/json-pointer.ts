/** A JSON Pointer (RFC 6901) is not well formed: a rule that carries it is refused. */
export class InvalidJsonPointerError extends Error {}

/** RFC 6901's grammar: `/`-separated tokens, `~` only as `~0` or `~1`. */
export const JSON_POINTER = /^(\/([^/~]|~[01])*)*$/;

/** Longest pointer accepted: a record key comes from a few levels down, never a long walk. */
const MAX_POINTER_LENGTH = 256;

/**
 * A JSON Pointer (RFC 6901) such as `/content/switch/dpid`: parsed once when the rule is made,
 * resolved against each event it keys.
 */
export class JsonPointer {
  private constructor(
    readonly text: string,
    private readonly tokens: readonly string[],
  ) {}

  static parse(text: string): JsonPointer {
    if (text.length > MAX_POINTER_LENGTH) {
      throw new InvalidJsonPointerError(`key is longer than ${MAX_POINTER_LENGTH} characters`);
    }
    if (!JSON_POINTER.test(text)) {
      throw new InvalidJsonPointerError(
        `key ${JSON.stringify(text)} is not a JSON Pointer: /-separated, starting with / (e.g. /content/switch/dpid), ~ only as ~0 or ~1`,
      );
    }
    const tokens = text
      .split('/')
      .slice(1)
      .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
    return new JsonPointer(text, tokens);
  }

  /** The value the pointer names in `document`, or undefined when it names nothing. */
  resolve(document: unknown): unknown {
    let value = document;
    for (const token of this.tokens) {
      if (Array.isArray(value)) {
        // RFC 6901: an array index is 0 or digits without a leading zero.
        if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
        value = value[Number(token)];
      } else if (typeof value === 'object' && value !== null && Object.hasOwn(value, token)) {
        value = (value as Record<string, unknown>)[token];
      } else {
        return undefined;
      }
    }
    return value;
  }
}
