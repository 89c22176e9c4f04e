import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { FilterSettings } from './filter.settings.js';
import {
  backoffDelay,
  KafkaClients,
  type KafkaSettings,
  TopicAdmin,
  TopicPolicyError,
} from '../kafka/index.js';
import { EventMetrics } from '../metrics/index.js';
import { FilterRule } from './filter-rule.js';
import { reservedTopicOf } from './reserved-topics.js';
import { RulesUnavailableError } from './rule-errors.js';
import { RuleSnapshot } from './rule-snapshot.js';
import { RuleStore } from './rule-store.js';
import { ruleFromStored, storedRuleOf } from './stored-rule.js';

/** How long a create or delete waits to see its own record come back before answering 503. */
const APPLY_TIMEOUT_MS = 10_000;
const DISCONNECT_TIMEOUT_MS = 3_000;

/**
 * Operator rules in a compacted Kafka topic, which every instance reads from the beginning at
 * start and then follows: a create is a record keyed by the rule id, a delete a tombstone. Kafka
 * is already the system of record here, so no other database is needed. Ids derive from action
 * and pattern, so two instances creating the same rule at once write the same key: one rule.
 * A change is answered once this instance has read it back, so it is visible here at once and
 * on the others within their next fetch (at most FETCH_WAIT_MS later).
 */
export class KafkaRuleStore extends RuleStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaRuleStore.name);
  /** The rules in force; records read while catching up go to `loading`, swapped in at the end. */
  private rules = new Map<string, FilterRule>();
  private loading = new Map<string, FilterRule>();
  private readonly snapshot?: RuleSnapshot;
  /** Rules the snapshot held at start; -1 without a snapshot. */
  private snapshotRules = -1;
  private trouble?: string;
  private readonly kafka: Kafka;
  private consumer?: Consumer;
  private producer?: Producer;
  private caughtUp = false;
  private stopping = false;
  private appliedOffset = -1;
  private waiters: { offset: number; resolve: () => void }[] = [];
  /** Rules shadowed by a non-rule record while loading: written again once caught up. */
  private readonly reassert = new Set<string>();
  private starting?: Promise<void>;

  constructor(
    private readonly settings: FilterSettings,
    private readonly kafkaSettings: KafkaSettings,
    private readonly metrics: EventMetrics,
    clients: KafkaClients,
    private readonly topics: TopicAdmin,
  ) {
    super();
    this.kafka = clients.create('rules', 2);
    const { snapshotFile, topic } = settings;
    if (snapshotFile) this.snapshot = new RuleSnapshot(snapshotFile, topic);
  }

  /** Caught up with the topic, or (Kafka away) deciding with the snapshot; never with a topic problem. */
  get ready(): boolean {
    return this.trouble === undefined && (this.caughtUp || this.snapshotRules >= 0);
  }

  override get problem(): string | undefined {
    return this.trouble;
  }

  /**
   * Decides at once with the snapshot when there is one; loads from Kafka in the background,
   * retrying until Kafka answers (without a snapshot the service is not ready meanwhile).
   */
  onModuleInit(): void {
    const saved = this.snapshot?.load();
    if (saved) {
      for (const rule of saved) this.rules.set(rule.id, rule);
      this.snapshotRules = saved.length;
      this.logger.log(
        `deciding with ${saved.length} rule(s) from the snapshot until Kafka answers`,
      );
      this.changed();
    }
    this.starting = this.startWithRetries();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.starting;
    await this.disconnect();
    await this.snapshot?.flushed();
  }

  /** Bounded: a consumer caught rejoining its group after an outage may otherwise take a session timeout. */
  private async disconnect(): Promise<void> {
    await Promise.race([
      Promise.allSettled([this.consumer?.disconnect(), this.producer?.disconnect()]),
      sleep(DISCONNECT_TIMEOUT_MS),
    ]);
  }

  list(): FilterRule[] {
    return [...this.rules.values()];
  }

  async add(rule: FilterRule): Promise<void> {
    await this.write(rule.id, JSON.stringify(storedRuleOf(rule)));
  }

  async remove(id: string): Promise<FilterRule | undefined> {
    const rule = this.rules.get(id);
    if (!rule) return undefined;
    await this.write(id, null);
    return rule;
  }

  private async write(key: string, value: string | null): Promise<void> {
    if (!this.producer || !this.caughtUp) {
      throw new RulesUnavailableError('the rule store is not connected to Kafka yet');
    }
    let offset: number;
    try {
      const [metadata] = await this.producer.send({
        topic: this.settings.topic,
        acks: -1,
        messages: [{ key, value }],
      });
      offset = Number(metadata?.baseOffset ?? NaN);
    } catch (error) {
      throw new RulesUnavailableError(
        `Kafka did not store the rule change: ${(error as Error).message}`,
      );
    }
    await this.applied(offset);
  }

  private applied(offset: number): Promise<void> {
    if (this.appliedOffset >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new RulesUnavailableError('the rule change was stored but not read back in time')),
        APPLY_TIMEOUT_MS,
      );
      this.waiters.push({
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private async startWithRetries(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.start();
        return;
      } catch (error) {
        if (error instanceof RulesTopicProblem) {
          if (this.trouble !== error.message) this.logger.error(error.message);
          this.trouble = error.message;
        } else {
          this.logger.warn(`cannot load the rules from Kafka yet: ${(error as Error).message}`);
        }
        await this.disconnect();
        await sleep(backoffDelay(attempt, 250, 5000));
      }
    }
  }

  private async start(): Promise<void> {
    const { topic } = this.settings;
    this.loading = new Map();
    if (this.snapshotRules > 0 && !(await this.topics.exists(topic))) {
      throw new RulesTopicProblem(
        `the rules topic ${topic} does not exist, but the snapshot ${this.settings.snapshotFile} holds ` +
          `${this.snapshotRules} rule(s) taken from it: it was deleted, or this is another cluster. ` +
          'Restore the topic, or delete the snapshot to start with no operator rules',
      );
    }
    try {
      await this.topics.ensureTopic({
        topic,
        partitions: 1,
        replicationFactor: this.kafkaSettings.topicReplicationFactor,
        compacted: true,
      });
    } catch (error) {
      if (!(error instanceof TopicPolicyError)) throw error;
      throw new RulesTopicProblem(
        `${error.message}. Set cleanup.policy=compact on it, or choose another FILTER_TOPIC`,
      );
    }
    const end = await this.topics.endOffset(topic);

    this.producer = this.kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await this.producer.connect();
    // A group of its own and no commits: each start reads the whole topic again.
    this.consumer = this.kafka.consumer({
      groupId: `${this.kafkaSettings.clientId}-rules-${randomUUID()}`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      // A lone member of its own group: short timeouts let it rejoin fast after an outage.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.offsetLag === '0') this.markCaughtUp();
    });
    if (end === 0) this.markCaughtUp();
    await this.consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        this.applyOrSkip(message);
        if (Number(message.offset) >= end - 1) this.markCaughtUp();
        return Promise.resolve();
      },
    });
  }

  /**
   * A record that cannot be applied is skipped, logged and counted: throwing here would make the
   * consumer read it again forever, and every later change would never apply.
   */
  private applyOrSkip(message: KafkaMessage): void {
    try {
      this.apply(message);
    } catch (error) {
      this.skip(message, (error as Error).message);
    }
    this.appliedOffset = Number(message.offset);
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => waiter.offset > this.appliedOffset);
    for (const waiter of waiting) if (waiter.offset <= this.appliedOffset) waiter.resolve();
  }

  private apply(message: KafkaMessage): void {
    const id = message.key?.toString('utf8') ?? '';
    // While loading, the rule set is built once at the end (markCaughtUp), not per record.
    if (message.value === null) {
      if (!this.caughtUp) this.loading.delete(id);
      else if (this.rules.delete(id)) this.changed();
      return;
    }
    const rule = this.parseRule(id, message.value.toString('utf8'));
    if (typeof rule === 'string') {
      this.skip(message, rule);
      this.shadowed(id);
      return;
    }
    (this.caughtUp ? this.rules : this.loading).set(id, rule);
    if (this.caughtUp) this.changed();
  }

  /**
   * A record that is not a rule, under the key of a rule in force, would let compaction delete
   * that rule (a deny rule gone after the next restart): the rule is written again after it.
   */
  private shadowed(id: string): void {
    if (!this.caughtUp) {
      if (this.loading.has(id)) this.reassert.add(id);
      return;
    }
    const rule = this.rules.get(id);
    if (!rule) return;
    this.logger.warn(`rule ${id} was shadowed by a record that is not a rule; writing it again`);
    this.add(rule).catch((error: unknown) =>
      this.logger.error(`could not write rule ${id} again: ${(error as Error).message}`),
    );
  }

  /** What `parseRule` accepts, unless it routes events into a topic the service keeps apart. */
  private parseRule(id: string, json: string): FilterRule | string {
    const rule = parseRule(id, json);
    if (typeof rule === 'string') return rule;
    const topic = rule.routing.topic;
    const reserved =
      topic === undefined ? undefined : reservedTopicOf(this.settings, this.kafkaSettings, topic);
    return reserved ? `it routes events into ${topic}, which ${reserved}` : rule;
  }

  protected override changed(): void {
    super.changed();
    if (this.caughtUp) this.snapshot?.save(this.list());
  }

  private skip(message: KafkaMessage, reason: string): void {
    this.metrics.ruleRecordsSkipped.inc();
    this.logger.error(
      `skipping the rule record at offset ${message.offset} (key ${JSON.stringify(message.key?.toString('utf8') ?? null)}): ${reason}`,
    );
  }

  private markCaughtUp(): void {
    if (this.caughtUp) return;
    this.rules = this.loading;
    this.loading = new Map();
    this.caughtUp = true;
    this.trouble = undefined;
    this.logger.log(`loaded ${this.rules.size} operator rule(s) from ${this.settings.topic}`);
    this.changed();
    const shadowedWhileLoading = [...this.reassert];
    this.reassert.clear();
    for (const id of shadowedWhileLoading) this.shadowed(id);
  }
}

/** The rules topic is there but unusable as it is: the operator's to fix, named in readiness. */
class RulesTopicProblem extends Error {}

/**
 * A record someone else wrote may be anything: it becomes a rule only if it checks out whole,
 * else the answer is why not.
 */
function parseRule(id: string, json: string): FilterRule | string {
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    return 'not JSON';
  }
  const rule = ruleFromStored(stored);
  if (typeof rule === 'string') return rule;
  return rule.id === id ? rule : `the key is not the rule's id (${rule.id})`;
}
