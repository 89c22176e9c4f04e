import { RE2JS } from 're2js';
import { FilterRule } from './filter-rule.js';

/** Which rules matched an event name, and so whether the event may leave. */
export interface Decision {
  published: boolean;
  allowedBy: string[];
  deniedBy: string[];
}

/**
 * An immutable snapshot of all rules. Each action's patterns are joined into one RE2 alternation,
 * so one decision is two linear passes over the name, however many rules there are.
 */
export class RuleSet {
  private readonly allow?: RE2JS;
  private readonly deny?: RE2JS;

  constructor(readonly rules: readonly FilterRule[]) {
    this.allow = alternation(rules.filter((rule) => rule.action === 'allow'));
    this.deny = alternation(rules.filter((rule) => rule.action === 'deny'));
  }

  /** Least privilege: at least one allow rule matches, and no deny rule does. */
  permits(eventName: string): boolean {
    return (
      this.allow !== undefined &&
      this.allow.matcher(eventName).lookingAt() &&
      !(this.deny?.matcher(eventName).lookingAt() ?? false)
    );
  }

  /** The same decision, rule by rule: for operators debugging their patterns, not the hot path. */
  explain(eventName: string): Decision {
    const matching = this.rules.filter((rule) => rule.matches(eventName));
    const allowedBy = matching.filter((rule) => rule.action === 'allow').map((rule) => rule.id);
    const deniedBy = matching.filter((rule) => rule.action === 'deny').map((rule) => rule.id);
    return { published: allowedBy.length > 0 && deniedBy.length === 0, allowedBy, deniedBy };
  }
}

function alternation(rules: FilterRule[]): RE2JS | undefined {
  if (rules.length === 0) return undefined;
  // Each pattern compiled alone already (FilterRule), so each is a well-formed group here.
  return RE2JS.compile(rules.map((rule) => `(?:${rule.pattern})`).join('|'));
}
