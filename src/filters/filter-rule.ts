import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';

export const RULE_ACTIONS = ['allow', 'deny'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/**
 * A permission rule: an event whose name matches the pattern (at its start, like Python's
 * re.match in the Kytos NApp) is allowed, or denied. Patterns run on RE2 (a linear-time engine),
 * so no pattern can make one check take seconds, whatever the event name.
 */
export class FilterRule {
  private constructor(
    readonly id: string,
    readonly pattern: string,
    readonly description: string,
    readonly mutable: boolean,
    readonly action: RuleAction,
    private readonly regex: RE2JS,
  ) {}

  /**
   * Throws InvalidPatternError for a pattern RE2 cannot compile (including backreferences and
   * lookarounds, which need backtracking). The id is derived from action and pattern, so a preset
   * keeps its id across restarts, and two instances creating the same rule at once create one.
   */
  static create(
    pattern: string,
    description: string,
    mutable: boolean,
    action: RuleAction = 'allow',
  ): FilterRule {
    return new FilterRule(
      FilterRule.idOf(pattern, action),
      pattern,
      description,
      mutable,
      action,
      compile(pattern),
    );
  }

  static idOf(pattern: string, action: RuleAction = 'allow'): string {
    return createHash('sha256').update(`${action}\n${pattern}`).digest('hex').slice(0, 16);
  }

  matches(eventName: string): boolean {
    return this.regex.matcher(eventName).lookingAt();
  }
}

export class InvalidPatternError extends Error {}

function compile(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw new InvalidPatternError(`invalid regular expression: ${(error as Error).message}`);
  }
}
