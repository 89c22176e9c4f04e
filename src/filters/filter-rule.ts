import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { TOPIC_NAME, TOPIC_NAME_RULE } from '../kafka/index.js';
import { InvalidJsonPointerError, JsonPointer } from './json-pointer.js';

export const RULE_ACTIONS = ['allow', 'deny'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** Where an allow rule sends what it permits: a topic, and the record key's place in the event. */
export interface RuleRouting {
  topic?: string;
  /** A JSON Pointer (RFC 6901) into the event, e.g. `/content/switch/dpid`. */
  key?: string;
}

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
    /** The topic events it permits go to (the most specific rule that has one wins). */
    readonly topic: string | undefined,
    /** Where their record key is read from (the most specific rule that has one wins). */
    readonly key: JsonPointer | undefined,
  ) {}

  /**
   * Throws InvalidPatternError for a pattern RE2 cannot compile (including backreferences and
   * lookarounds, which need backtracking). The id is derived from action and pattern, so a preset
   * keeps its id across restarts, and two instances creating the same rule at once create one.
   * Throws InvalidRoutingError for a topic Kafka would refuse by name, a key that is not a JSON
   * Pointer, or either on a deny rule (what it denies goes nowhere).
   */
  static create(
    pattern: string,
    description: string,
    mutable: boolean,
    action: RuleAction = 'allow',
    { topic, key }: RuleRouting = {},
  ): FilterRule {
    if (action === 'deny' && (topic !== undefined || key !== undefined)) {
      throw new InvalidRoutingError('a deny rule cannot carry a topic or a key: it sends nothing');
    }
    if (topic !== undefined && !TOPIC_NAME.test(topic)) {
      throw new InvalidRoutingError(
        `topic ${JSON.stringify(topic.slice(0, 300))} is not a valid Kafka topic name here (${TOPIC_NAME_RULE})`,
      );
    }
    let pointer: JsonPointer | undefined;
    try {
      pointer = key === undefined ? undefined : JsonPointer.parse(key);
    } catch (error) {
      if (error instanceof InvalidJsonPointerError) throw new InvalidRoutingError(error.message);
      throw error;
    }
    return new FilterRule(
      FilterRule.idOf(pattern, action),
      pattern,
      description,
      mutable,
      action,
      compile(pattern),
      topic,
      pointer,
    );
  }

  /** What the rule routes, as given (for storage and the API). */
  get routing(): RuleRouting {
    return {
      ...(this.topic !== undefined ? { topic: this.topic } : {}),
      ...(this.key !== undefined ? { key: this.key.text } : {}),
    };
  }

  static idOf(pattern: string, action: RuleAction = 'allow'): string {
    return createHash('sha256').update(`${action}\n${pattern}`).digest('hex').slice(0, 16);
  }

  matches(eventName: string): boolean {
    return this.regex.matcher(eventName).lookingAt();
  }
}

export class InvalidPatternError extends Error {}

/** A rule's topic or key cannot be used. */
export class InvalidRoutingError extends Error {}

function compile(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw new InvalidPatternError(`invalid regular expression: ${(error as Error).message}`);
  }
}
