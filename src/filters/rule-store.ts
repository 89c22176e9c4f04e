import { Injectable } from '@nestjs/common';
import { FilterRule } from './filter-rule.js';

/** Where the operator's (mutable) rules live; presets come from config and are never stored. */
export abstract class RuleStore {
  abstract list(): FilterRule[];
  abstract add(rule: FilterRule): Promise<void>;
  abstract remove(id: string): Promise<FilterRule | undefined>;
}

/** Keeps rules in this process only: a restart forgets them (see issue #4 for a shared store). */
@Injectable()
export class InMemoryRuleStore extends RuleStore {
  private readonly rules = new Map<string, FilterRule>();

  list(): FilterRule[] {
    return [...this.rules.values()];
  }

  add(rule: FilterRule): Promise<void> {
    this.rules.set(rule.id, rule);
    return Promise.resolve();
  }

  remove(id: string): Promise<FilterRule | undefined> {
    const rule = this.rules.get(id);
    this.rules.delete(id);
    return Promise.resolve(rule);
  }
}
