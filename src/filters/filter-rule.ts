import { createHash } from 'node:crypto';

/** A permission rule: an event whose name matches the pattern (anchored at its start) may leave. */
export class FilterRule {
  private constructor(
    readonly id: string,
    readonly pattern: string,
    readonly description: string,
    readonly mutable: boolean,
    private readonly regex: RegExp,
  ) {}

  /**
   * Throws InvalidPatternError for a pattern JavaScript cannot compile. The id is derived from the
   * pattern, so a preset keeps its id across restarts and the same pattern can never be stored twice.
   */
  static create(pattern: string, description: string, mutable: boolean): FilterRule {
    return new FilterRule(
      FilterRule.idOf(pattern),
      pattern,
      description,
      mutable,
      compileAnchored(pattern),
    );
  }

  static idOf(pattern: string): string {
    return createHash('sha256').update(`allow\n${pattern}`).digest('hex').slice(0, 16);
  }

  matches(eventName: string): boolean {
    return this.regex.test(eventName);
  }
}

export class InvalidPatternError extends Error {}

/** Like Python's re.match, which the Kytos NApp used: anchored at the start, not at the end. */
function compileAnchored(pattern: string): RegExp {
  try {
    // Compiled alone first: a pattern such as `a)|(b` is invalid by itself but would compile
    // inside the wrapping group and escape the anchor.
    new RegExp(pattern);
    return new RegExp(`^(?:${pattern})`);
  } catch (error) {
    throw new InvalidPatternError(`invalid regular expression: ${(error as Error).message}`);
  }
}
