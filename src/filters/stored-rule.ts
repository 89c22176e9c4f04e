import { FilterRule, RULE_ACTIONS, type RuleAction } from './filter-rule.js';

/** A rule as the rules topic and the snapshot file keep it (the id derives from it). */
export interface StoredRule {
  pattern: string;
  description: string;
  action: RuleAction;
  topic?: string;
  key?: string;
}

export function storedRuleOf(rule: FilterRule): StoredRule {
  const { pattern, description, action, routing } = rule;
  return { pattern, description, action, ...routing };
}

/**
 * What was stored may be anything (another instance's release, a hand edit): it becomes a rule
 * only if it checks out whole, else the answer is why not.
 */
export function ruleFromStored(stored: unknown): FilterRule | string {
  if (typeof stored !== 'object' || stored === null) return 'not an object';
  const { pattern, description, action, topic, key } = stored as Partial<Record<string, unknown>>;
  if (typeof pattern !== 'string' || typeof description !== 'string') {
    return 'pattern and description must be strings';
  }
  if (!RULE_ACTIONS.includes(action as RuleAction)) return `unknown action ${String(action)}`;
  if (
    (topic !== undefined && typeof topic !== 'string') ||
    (key !== undefined && typeof key !== 'string')
  ) {
    return 'topic and key must be strings';
  }
  try {
    return FilterRule.create(pattern, description, true, action as RuleAction, { topic, key });
  } catch (error) {
    return (error as Error).message;
  }
}
