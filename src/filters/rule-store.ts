import { Injectable } from '@nestjs/common';
import { FilterRule } from './filter-rule.js';

/**
 * Where the operator's (mutable) rules live; presets come from config and are never stored.
 * add and remove resolve once list() shows the change.
 */
export abstract class RuleStore {
  private readonly listeners: (() => void)[] = [];

  abstract list(): FilterRule[];
  abstract add(rule: FilterRule): Promise<void>;
  abstract remove(id: string): Promise<FilterRule | undefined>;
  /** False while the store is still loading the rules (a Kafka store catching up at start). */
  abstract get ready(): boolean;

  /** Why the store cannot load its rules, when an operator has to act (named in readiness). */
  get problem(): string | undefined {
    return undefined;
  }

  /** Called after every change, made here or, for a shared store, by another instance. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  protected changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Keeps rules in this process only: a restart forgets them (FILTER_STORE=memory). */
@Injectable()
export class InMemoryRuleStore extends RuleStore {
  private readonly rules = new Map<string, FilterRule>();

  get ready(): boolean {
    return true;
  }

  list(): FilterRule[] {
    return [...this.rules.values()];
  }

  add(rule: FilterRule): Promise<void> {
    this.rules.set(rule.id, rule);
    this.changed();
    return Promise.resolve();
  }

  remove(id: string): Promise<FilterRule | undefined> {
    const rule = this.rules.get(id);
    if (rule) {
      this.rules.delete(id);
      this.changed();
    }
    return Promise.resolve(rule);
  }
}
