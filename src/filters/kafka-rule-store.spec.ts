import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import {
  type KafkaClients,
  kafkaSettings,
  type TopicAdmin,
  TopicPolicyError,
} from '../kafka/index.js';
import { EventMetrics } from '../metrics/index.js';
import { filterSettings } from './filter.settings.js';
import { FilterRule } from './filter-rule.js';
import { KafkaRuleStore } from './kafka-rule-store.js';
import { storedRuleOf } from './stored-rule.js';

type EachMessage = (payload: { message: KafkaMessage }) => Promise<void>;

/**
 * One topic as a broker keeps it: records with offsets, a producer that appends (acks=all), and
 * a consumer that reads from the beginning and then follows. `compacted` answers the store's
 * creation as a broker with the topic already there, compacted or not.
 */
class FakeRulesTopic {
  readonly records: { key: string; value: string | null }[] = [];
  compacted = true;
  private readonly readers: EachMessage[] = [];

  append(key: string, value: string | null): number {
    this.records.push({ key, value });
    const offset = this.records.length - 1;
    for (const read of this.readers) void read({ message: this.message(offset) });
    return offset;
  }

  message(offset: number): KafkaMessage {
    const { key, value } = this.records[offset];
    return {
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      offset: String(offset),
      timestamp: '0',
      attributes: 0,
      headers: {},
    };
  }

  /** What KafkaClients.create hands the store: a kafkajs client reduced to what it calls. */
  client() {
    const noop = () => Promise.resolve();
    return {
      producer: () => ({
        connect: noop,
        disconnect: noop,
        send: ({ messages }: { messages: { key: string; value: string | null }[] }) => {
          const [{ key, value }] = messages;
          return Promise.resolve([{ baseOffset: String(this.append(key, value)) }]);
        },
      }),
      consumer: () => ({
        connect: noop,
        disconnect: noop,
        subscribe: noop,
        events: { END_BATCH_PROCESS: 'end' },
        on: () => undefined,
        run: async ({ eachMessage }: { eachMessage: EachMessage }) => {
          for (let offset = 0; offset < this.records.length; offset++) {
            await eachMessage({ message: this.message(offset) });
          }
          this.readers.push(eachMessage);
        },
      }),
    };
  }

  admin(): TopicAdmin {
    return {
      exists: () => Promise.resolve(true),
      ensureTopic: () =>
        this.compacted
          ? Promise.resolve(false)
          : Promise.reject(new TopicPolicyError('topic rules is not compacted')),
      endOffset: () => Promise.resolve(this.records.length),
    } as unknown as TopicAdmin;
  }
}

function storeOn(topic: FakeRulesTopic, env: Record<string, string> = {}) {
  const metrics = new EventMetrics();
  const clients = { create: () => topic.client() } as unknown as KafkaClients;
  const store = new KafkaRuleStore(
    filterSettings.parse({ FILTER_TOPIC: 'rules', ...env }),
    kafkaSettings.parse(env),
    metrics,
    clients,
    topic.admin(),
  );
  return { store, metrics };
}

const allow = (pattern: string, topic?: string) =>
  FilterRule.create(pattern, '', true, 'allow', { topic });
const recordOf = (rule: FilterRule) => JSON.stringify(storedRuleOf(rule));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2_000) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function skipped(metrics: EventMetrics): Promise<string> {
  return metrics.registry.getSingleMetricAsString('kafka_events_rule_records_skipped_total');
}

describe('KafkaRuleStore', () => {
  it('replays the topic from its start, tombstones included, and is ready only once caught up', async () => {
    const topic = new FakeRulesTopic();
    const kept = allow('kytos/topology\\.');
    const deleted = allow('kytos/mef_eline\\.');
    topic.append(kept.id, recordOf(kept));
    topic.append(deleted.id, recordOf(deleted));
    topic.append(deleted.id, null);
    const { store } = storeOn(topic);
    assert.equal(store.ready, false, 'nothing read yet');
    store.onModuleInit();
    await until(() => store.ready, 'caught up');
    assert.deepEqual(
      store.list().map((rule) => rule.pattern),
      ['kytos/topology\\.'],
    );
    await store.onApplicationShutdown();
  });

  it('skips and counts records that are not rules, and applies the ones after them', async () => {
    const topic = new FakeRulesTopic();
    const rule = allow('kytos/of_lldp\\.');
    const intoRules = allow('kytos/x\\.', 'rules');
    topic.append('junk', 'not json');
    topic.append('wrong-key', recordOf(rule));
    topic.append(intoRules.id, recordOf(intoRules));
    topic.append(rule.id, recordOf(rule));
    const { store, metrics } = storeOn(topic);
    store.onModuleInit();
    await until(() => store.ready, 'caught up');
    assert.deepEqual(
      store.list().map(({ id }) => id),
      [rule.id],
    );
    assert.match(await skipped(metrics), /_total 3$/m, 'not JSON, wrong key, the rules topic');
    await store.onApplicationShutdown();
  });

  it('answers a change once it has read it back, and then lists it', async () => {
    const topic = new FakeRulesTopic();
    const { store } = storeOn(topic);
    store.onModuleInit();
    await until(() => store.ready, 'caught up');
    const rule = allow('kytos/maintenance\\.');
    await store.add(rule);
    assert.deepEqual(
      store.list().map(({ id }) => id),
      [rule.id],
    );
    assert.equal((await store.remove(rule.id))?.id, rule.id);
    assert.deepEqual(store.list(), []);
    assert.deepEqual(
      topic.records.map(({ value }) => value === null),
      [false, true],
      'a record, then its tombstone',
    );
    await store.onApplicationShutdown();
  });

  it('writes a rule again after a record that is not a rule took its key, so compaction keeps it', async () => {
    const topic = new FakeRulesTopic();
    const rule = allow('kytos/topology\\.');
    topic.append(rule.id, recordOf(rule));
    const { store } = storeOn(topic);
    store.onModuleInit();
    await until(() => store.ready, 'caught up');
    topic.append(rule.id, 'not json');
    await until(() => topic.records.length === 3, 'the rule written again');
    assert.equal(topic.records[2]?.value, recordOf(rule));
    assert.deepEqual(
      store.list().map(({ id }) => id),
      [rule.id],
    );
    await store.onApplicationShutdown();
  });

  it('stays unready, naming the fix, on a rules topic that is not compacted', async () => {
    const topic = new FakeRulesTopic();
    topic.compacted = false;
    const { store } = storeOn(topic);
    store.onModuleInit();
    await until(() => store.problem !== undefined, 'the problem reported');
    assert.equal(store.ready, false);
    assert.match(store.problem ?? '', /cleanup\.policy=compact/);
    await store.onApplicationShutdown();
  });
});
