import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/app-config.js';
import { FilterRule, InvalidPatternError } from './filter-rule.js';
import { RuleStore } from './rule-store.js';

/** Past this many distinct names the cache starts over, so hostile names cannot grow memory. */
const DECISION_CACHE_LIMIT = 10_000;

/**
 * Least privilege: an event may leave only when at least one rule matches its name. Decisions are
 * cached per name and the cache is dropped whenever the rules change.
 */
@Injectable()
export class FilterService {
  private readonly presets: FilterRule[];
  private readonly decisions = new Map<string, boolean>();

  constructor(
    private readonly config: AppConfig,
    private readonly store: RuleStore,
  ) {
    this.presets = config.filters.presets.map(({ pattern, description }) => {
      try {
        return FilterRule.create(pattern, description, false);
      } catch (error) {
        throw new ConfigError([
          `FILTER_PRESETS has a pattern that does not compile (${JSON.stringify(pattern)}): ${(error as Error).message}`,
        ]);
      }
    });
  }

  list(): FilterRule[] {
    return [...this.presets, ...this.store.list()];
  }

  async create(pattern: string, description: string): Promise<FilterRule> {
    const { maxPatternLength, maxRules } = this.config.filters;
    if (pattern.length > maxPatternLength) {
      throw new BadRequestException(`pattern is longer than ${maxPatternLength} characters`);
    }
    let rule: FilterRule;
    try {
      rule = FilterRule.create(pattern, description, true);
    } catch (error) {
      if (error instanceof InvalidPatternError) throw new BadRequestException(error.message);
      throw error;
    }
    const rules = this.list();
    if (rules.some((existing) => existing.id === rule.id)) {
      throw new BadRequestException(
        `a rule with pattern ${JSON.stringify(pattern)} already exists`,
      );
    }
    if (rules.length - this.presets.length >= maxRules) {
      throw new ConflictException(`the rule limit (${maxRules}) is reached; delete a rule first`);
    }
    await this.store.add(rule);
    this.decisions.clear();
    return rule;
  }

  async remove(id: string): Promise<FilterRule> {
    if (this.presets.some((preset) => preset.id === id)) {
      throw new ForbiddenException(
        `rule ${id} is a preset from the configuration and cannot be deleted`,
      );
    }
    const removed = await this.store.remove(id);
    if (!removed) throw new NotFoundException(`no rule with id ${id}`);
    this.decisions.clear();
    return removed;
  }

  /** true when an event of this name may leave. */
  decide(eventName: string): boolean {
    let permitted = this.decisions.get(eventName);
    if (permitted === undefined) {
      permitted = this.list().some((rule) => rule.matches(eventName));
      if (this.decisions.size >= DECISION_CACHE_LIMIT) this.decisions.clear();
      this.decisions.set(eventName, permitted);
    }
    return permitted;
  }
}
