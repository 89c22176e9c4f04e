import { Inject, Injectable, Logger } from '@nestjs/common';
import { KafkaFailure, kafkaSettings, type KafkaSettings, TopicAdmin } from '../kafka/index.js';
import { filterSettings, type FilterSettings } from './filter.settings.js';
import {
  FilterRule,
  InvalidPatternError,
  InvalidRoutingError,
  RuleAction,
  RuleRouting,
} from './filter-rule.js';
import { Decision, EventRoute, RuleSet, RuleSetCompileError } from './rule-set.js';
import {
  InvalidRuleError,
  PresetRuleError,
  RuleConflictError,
  RuleNotFoundError,
  RulesUnavailableError,
} from './rule-errors.js';
import { RuleStore } from './rule-store.js';
import { reservedTopicOf } from './reserved-topics.js';

/** Past this many distinct names the cache starts over, so hostile names cannot grow memory. */
const DECISION_CACHE_LIMIT = 100_000;

/** Events a rule matched on this instance: published, or denied (by it or another rule). */
export interface RuleHits {
  allowed: number;
  denied: number;
}

/** A cached decision: the route (null: denied) and the tallies of every rule that matched. */
interface CachedDecision {
  route: EventRoute | null;
  hits: RuleHits[];
}

/**
 * Least privilege: an event may leave only when an allow rule matches its name and no deny rule
 * does. Decisions are cached per name; any change of the rules, here or on another instance,
 * builds a new RuleSet and drops the cache.
 */
@Injectable()
export class FilterService {
  private readonly logger = new Logger(FilterService.name);
  private readonly presets: FilterRule[];
  private ruleSet: RuleSet;
  private readonly decisions = new Map<string, CachedDecision>();
  /** Per rule id, made at a rule's first hit; a rule's tally goes with it when it is deleted. */
  private readonly hits = new Map<string, RuleHits>();
  /** False when the last change could not be compiled: the rules in force are not the listed ones. */
  private inForce = true;

  constructor(
    @Inject(filterSettings.token) private readonly settings: FilterSettings,
    @Inject(kafkaSettings.token) private readonly kafka: KafkaSettings,
    private readonly store: RuleStore,
    private readonly topics: TopicAdmin,
  ) {
    // Checked with the configuration at start: a preset always compiles.
    this.presets = settings.presets.map(({ pattern, description, action }) =>
      FilterRule.create(pattern, description, false, action),
    );
    this.ruleSet = new RuleSet(this.list());
    store.onChange(() => this.rebuild());
  }

  /**
   * False until every stored rule is loaded (deciding earlier could let denied events out), and
   * whenever the rules in force are not the ones listed.
   */
  get ready(): boolean {
    return this.store.ready && this.inForce;
  }

  /** Why the rules cannot be loaded, when an operator has to act. */
  get problem(): string | undefined {
    return this.store.problem;
  }

  private rebuild(): void {
    try {
      this.ruleSet = new RuleSet(this.list());
      const ids = new Set(this.ruleSet.rules.map(({ id }) => id));
      for (const id of this.hits.keys()) if (!ids.has(id)) this.hits.delete(id);
      this.inForce = true;
    } catch (error) {
      this.inForce = false;
      this.logger.error(`the rules could not be put in force: ${(error as Error).message}`);
    } finally {
      this.decisions.clear();
    }
  }

  list(): FilterRule[] {
    return [...this.presets, ...this.store.list()];
  }

  get(id: string): FilterRule {
    const rule = this.list().find((candidate) => candidate.id === id);
    if (!rule) throw new RuleNotFoundError(id);
    return rule;
  }

  async create(
    pattern: string,
    description: string,
    action: RuleAction,
    routing: RuleRouting = {},
  ): Promise<FilterRule> {
    const { maxPatternLength, maxRules } = this.settings;
    this.assertReady();
    if (pattern.length > maxPatternLength) {
      throw new InvalidRuleError(`pattern is longer than ${maxPatternLength} characters`);
    }
    let rule: FilterRule;
    try {
      rule = FilterRule.create(pattern, description, true, action, routing);
    } catch (error) {
      if (error instanceof InvalidPatternError || error instanceof InvalidRoutingError) {
        throw new InvalidRuleError(error.message);
      }
      throw error;
    }
    const rules = this.list();
    if (rules.some((existing) => existing.id === rule.id)) {
      throw new RuleConflictError(
        `${action} rule with pattern ${JSON.stringify(pattern)} already exists`,
      );
    }
    if (rules.length - this.presets.length >= maxRules) {
      throw new RuleConflictError(
        `the rule limit (FILTER_MAX_RULES=${maxRules}) is reached; delete a rule first`,
      );
    }
    try {
      RuleSet.strict([...rules, rule]);
    } catch (error) {
      if (error instanceof RuleSetCompileError) throw new InvalidRuleError(error.message);
      throw error;
    }
    if (rule.topic !== undefined) {
      this.assertRoutable(rule.topic);
      await this.ensureTopic(rule.topic);
    }
    await this.store.add(rule);
    return rule;
  }

  /** Events must not be routed into the topics the service keeps for something else. */
  private assertRoutable(topic: string): void {
    const reserved = reservedTopicOf(this.settings, this.kafka, topic);
    if (reserved) {
      throw new RuleConflictError(`topic ${topic} ${reserved}: events cannot go there`);
    }
  }

  /**
   * A rule's topic exists (or is created, as KAFKA_TOPIC is) before the rule is: a topic Kafka
   * refuses is the caller's to fix (400 naming why), a Kafka that does not answer is a 503.
   */
  private async ensureTopic(topic: string): Promise<void> {
    try {
      const created = await this.topics.ensureEventTopic(topic);
      if (created) this.logger.log(`created topic ${topic} for a rule`);
    } catch (error) {
      const refusal = KafkaFailure.brokerRefusal(error);
      if (refusal) throw new InvalidRuleError(`Kafka refuses topic ${topic}: ${refusal}`);
      throw new RulesUnavailableError(
        `Kafka did not answer about topic ${topic}, nothing was changed: ${KafkaFailure.from(error).reason}`,
      );
    }
  }

  async remove(id: string): Promise<FilterRule> {
    if (this.presets.some((preset) => preset.id === id)) {
      throw new PresetRuleError(
        `rule ${id} is a preset from the configuration and cannot be deleted`,
      );
    }
    this.assertReady();
    const removed = await this.store.remove(id);
    if (!removed) throw new RuleNotFoundError(id);
    return removed;
  }

  /** Where an event of this name goes, or null when it may not leave; counted for its rules. */
  decide(eventName: string): EventRoute | null {
    let decision = this.decisions.get(eventName);
    if (decision === undefined) {
      const { published, topic, key, allowedBy, deniedBy } = this.ruleSet.explain(eventName);
      decision = {
        route: published ? { topic: topic ?? this.kafka.topic, key } : null,
        hits: [...allowedBy, ...deniedBy].map((id) => this.tallyOf(id)),
      };
      if (this.decisions.size >= DECISION_CACHE_LIMIT) this.decisions.clear();
      this.decisions.set(eventName, decision);
    }
    const outcome = decision.route ? 'allowed' : 'denied';
    for (const hits of decision.hits) hits[outcome]++;
    return decision.route;
  }

  /** What a rule matched on this instance since it started (or since the rule was made). */
  hitsOf(ruleId: string): RuleHits {
    const { allowed, denied } = this.hits.get(ruleId) ?? { allowed: 0, denied: 0 };
    return { allowed, denied };
  }

  private tallyOf(ruleId: string): RuleHits {
    let hits = this.hits.get(ruleId);
    if (!hits) this.hits.set(ruleId, (hits = { allowed: 0, denied: 0 }));
    return hits;
  }

  /** The decision with the rules behind it (dry run); a published event's topic resolved. */
  explain(eventName: string): Decision {
    const decision = this.ruleSet.explain(eventName);
    if (!decision.published) return decision;
    return { ...decision, topic: decision.topic ?? this.kafka.topic };
  }

  private assertReady(): void {
    if (!this.ready) {
      throw new RulesUnavailableError('the permission rules are still loading; try again shortly');
    }
  }
}
