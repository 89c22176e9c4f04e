import { RE2Set } from 're2js';
import { FilterRule } from './filter-rule.js';
import type { JsonPointer } from './json-pointer.js';

/**
 * Where a permitted event goes: its topic (a rule's, else KAFKA_TOPIC: FilterService resolves it,
 * once per event name) and where its key is (undefined: KAFKA_RECORD_KEY's key).
 */
export interface EventRoute {
  topic: string;
  key: JsonPointer | undefined;
}

/** Which rules matched an event name, and so whether the event may leave, and where to. */
export interface Decision {
  published: boolean;
  /** The topic a matching allow rule gives; undefined: none does (or the event is denied). */
  topic: string | undefined;
  key: JsonPointer | undefined;
  allowedBy: string[];
  deniedBy: string[];
}

/** The rules are each valid but RE2 cannot compile them into one program (too large together). */
export class RuleSetCompileError extends Error {}

/**
 * An immutable snapshot of all rules, compiled into one RE2 set: one linear pass over a name
 * tells every rule that matches it (anchored at the start, like FilterRule.matches), however many
 * rules there are. Each pattern is parsed on its own inside the set, so patterns that RE2 accepts
 * alone (named groups reused across rules, an unterminated \Q) never break the whole: a textual
 * `a|b` join did, and then the old rules silently stayed in force.
 */
export class RuleSet {
  /** Never throws: past RE2's program size it decides rule by rule (slower, same answers). */
  constructor(
    readonly rules: readonly FilterRule[],
    private readonly set: RE2Set | undefined = compileOrFallBack(rules),
  ) {}

  /** Throws RuleSetCompileError instead of falling back: for accepting a new rule. */
  static strict(rules: readonly FilterRule[]): RuleSet {
    return new RuleSet(rules, compileSet(rules));
  }

  /** Least privilege: at least one allow rule matches, and no deny rule does. */
  permits(eventName: string): boolean {
    return this.explain(eventName).published;
  }

  /** The decision with the rules behind it, from the same single pass. */
  explain(eventName: string): Decision {
    const matching = this.set
      ? this.set.match(eventName).map((index) => this.rules[index])
      : this.rules.filter((rule) => rule.matches(eventName));
    const allowedBy: string[] = [];
    const deniedBy: string[] = [];
    const allowing: FilterRule[] = [];
    for (const rule of matching) {
      if (rule.action === 'allow') {
        allowedBy.push(rule.id);
        allowing.push(rule);
      } else {
        deniedBy.push(rule.id);
      }
    }
    const published = allowedBy.length > 0 && deniedBy.length === 0;
    return {
      published,
      allowedBy,
      deniedBy,
      topic: published ? mostSpecific(allowing, (rule) => rule.topic) : undefined,
      key: published ? mostSpecific(allowing, (rule) => rule.key) : undefined,
    };
  }
}

/**
 * The value of the most specific matching allow rule that has one: the longest pattern (a
 * pattern that says more about the name matches fewer names), and between patterns of the same
 * length the smallest id, so every instance picks the same rule.
 */
function mostSpecific<T>(
  rules: FilterRule[],
  valueOf: (rule: FilterRule) => T | undefined,
): T | undefined {
  let best: FilterRule | undefined;
  for (const rule of rules) {
    if (valueOf(rule) === undefined) continue;
    if (
      !best ||
      rule.pattern.length > best.pattern.length ||
      (rule.pattern.length === best.pattern.length && rule.id < best.id)
    ) {
      best = rule;
    }
  }
  return best && valueOf(best);
}

/** The set, or undefined (rule by rule) when RE2 cannot compile the rules together. */
function compileOrFallBack(rules: readonly FilterRule[]): RE2Set | undefined {
  try {
    return compileSet(rules);
  } catch (error) {
    if (!(error instanceof RuleSetCompileError)) throw error;
    return undefined;
  }
}

function compileSet(rules: readonly FilterRule[]): RE2Set | undefined {
  if (rules.length === 0) return undefined;
  const set = new RE2Set(RE2Set.ANCHOR_START);
  try {
    for (const rule of rules) set.add(rule.pattern);
    set.compile();
  } catch (error) {
    throw new RuleSetCompileError(
      `the ${rules.length} rules do not compile into one RE2 program: ${(error as Error).message}`,
    );
  }
  return set;
}
