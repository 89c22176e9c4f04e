import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config/index.js';
import { kafkaSettings, type TopicAdmin } from '../kafka/index.js';
import { filterSettings } from './filter.settings.js';
import { FilterRule } from './filter-rule.js';
import {
  InvalidRuleError,
  PresetRuleError,
  RuleConflictError,
  RuleNotFoundError,
  RulesUnavailableError,
} from './rule-errors.js';
import { FilterService } from './filter.service.js';
import { InMemoryRuleStore, RuleStore } from './rule-store.js';

/** Topics as a broker keeps them; `refuse` answers as a broker refusing a creation for good. */
class FakeTopics {
  readonly created: string[] = [];
  refuse?: Error;

  ensureEventTopic(topic: string): Promise<boolean> {
    if (this.refuse) return Promise.reject(this.refuse);
    if (this.created.includes(topic)) return Promise.resolve(false);
    this.created.push(topic);
    return Promise.resolve(true);
  }
}

function serviceWith(
  env: Record<string, string> = {},
  store: RuleStore = new InMemoryRuleStore(),
  topics = new FakeTopics(),
): FilterService {
  return new FilterService(
    filterSettings.parse(env),
    kafkaSettings.parse(env),
    store,
    topics as unknown as TopicAdmin,
  );
}

/** A store that is still loading, as a Kafka store is at start. */
class LoadingStore extends InMemoryRuleStore {
  override get ready(): boolean {
    return false;
  }
}

describe('FilterService', () => {
  it('permits only what an allow rule matches (least privilege)', () => {
    const filters = serviceWith();
    assert.ok(filters.decide('kytos/topology.link_up'));
    assert.ok(filters.decide('kytos.flow_manager.flows.install'));
    assert.ok(!filters.decide('topology.interruption.start'));
  });

  it('denies by default the raw OpenFlow traffic the Kytos NApp blocks', () => {
    const filters = serviceWith();
    for (const name of [
      'kytos/of_core.v0x04.messages.in.ofpt_echo_request',
      'kytos/flow_manager.messages.out.ofpt_flow_mod',
      'kytos/of_lldp.messages.out.ofpt_packet_out',
      'kytos/core.openflow.raw.in',
    ]) {
      assert.ok(!filters.decide(name), name);
    }
    assert.ok(filters.decide('kytos/of_core.handshake.completed'));
  });

  it('permits nothing when there are no rules at all', () => {
    const filters = serviceWith({ FILTER_PRESETS: '[]' });
    assert.ok(!filters.decide('kytos/topology.link_up'));
    assert.deepEqual(filters.list(), []);
  });

  it('lists the presets as immutable, with description and action', () => {
    const [allow, deny] = serviceWith().list();
    assert.deepEqual(
      [allow?.pattern, allow?.description, allow?.mutable, allow?.action],
      ['kytos[./](.*)', 'Allows all core NApps', false, 'allow'],
    );
    assert.equal(deny?.action, 'deny');
  });

  it('applies a new rule to the next decision, even for a name already decided', async () => {
    const filters = serviceWith();
    assert.ok(!filters.decide('topology.interruption.start'));
    const rule = await filters.create('topology\\.interruption\\.', 'interruptions', 'allow');
    assert.ok(filters.decide('topology.interruption.start'));
    await filters.remove(rule.id);
    assert.ok(!filters.decide('topology.interruption.start'));
  });

  it('lets a deny rule win over any allow rule', async () => {
    const filters = serviceWith();
    assert.ok(filters.decide('kytos/mef_eline.created'));
    await filters.create('kytos/mef_eline\\.', 'no EVC events', 'deny');
    assert.ok(!filters.decide('kytos/mef_eline.created'));
    assert.ok(filters.decide('kytos/topology.link_up'));
  });

  it('explains a decision with the ids of the rules that matched', async () => {
    const filters = serviceWith();
    const deny = await filters.create('kytos/mef_eline\\.', '', 'deny');
    const allowId = FilterRule.idOf('kytos[./](.*)');
    assert.deepEqual(filters.explain('kytos/mef_eline.created'), {
      published: false,
      allowedBy: [allowId],
      deniedBy: [deny.id],
      topic: undefined,
      key: undefined,
    });
    assert.deepEqual(filters.explain('other'), {
      published: false,
      allowedBy: [],
      deniedBy: [],
      topic: undefined,
      key: undefined,
    });
  });

  it('tallies, per rule, the events it matched that were published and that were denied', async () => {
    const filters = serviceWith();
    const deny = await filters.create('kytos/mef_eline\\.deleted', '', 'deny');
    const allowAll = FilterRule.idOf('kytos[./](.*)');
    for (const name of [
      'kytos/mef_eline.created',
      'kytos/mef_eline.created',
      'kytos/mef_eline.deleted',
    ]) {
      filters.decide(name);
    }
    filters.explain('kytos/mef_eline.created');
    assert.deepEqual(filters.hitsOf(allowAll), { allowed: 2, denied: 1 });
    assert.deepEqual(filters.hitsOf(deny.id), { allowed: 0, denied: 1 });
    // A rule change keeps the tallies of the rules that stay, and a deleted rule's goes with it.
    await filters.create('kytos/topology\\.', '', 'allow');
    filters.decide('kytos/mef_eline.created');
    assert.deepEqual(filters.hitsOf(allowAll), { allowed: 3, denied: 1 });
    await filters.remove(deny.id);
    assert.deepEqual(filters.hitsOf(deny.id), { allowed: 0, denied: 0 });
  });

  it("creates a rule's topic before the rule, and refuses what Kafka or the name rules refuse", async () => {
    const topics = new FakeTopics();
    const filters = serviceWith({}, new InMemoryRuleStore(), topics);
    const rule = await filters.create('kytos/mef_eline\\.', 'EVCs', 'allow', {
      topic: 'kytos.evcs',
      key: '/content/evc/id',
    });
    assert.deepEqual(topics.created, ['kytos.evcs']);
    assert.deepEqual(rule.routing, { topic: 'kytos.evcs', key: '/content/evc/id' });
    const route = filters.decide('kytos/mef_eline.created');
    assert.equal(route?.topic, 'kytos.evcs');
    assert.equal(route?.key?.text, '/content/evc/id');

    await assert.rejects(
      filters.create('kytos/topology\\.', '', 'allow', { topic: 'no spaces' }),
      (error) =>
        error instanceof InvalidRuleError && /not a valid Kafka topic name/.test(error.message),
    );
    await assert.rejects(
      filters.create('kytos/topology\\.', '', 'allow', { key: 'content/switch' }),
      (error) => error instanceof InvalidRuleError && /JSON Pointer/.test(error.message),
    );
    await assert.rejects(
      filters.create('kytos/topology\\.', '', 'allow', { topic: 'kafka_events_filters' }),
      (error) => error instanceof RuleConflictError && /cannot go there/.test(error.message),
    );
    for (const topic of ['__consumer_offsets', '.', '..']) {
      await assert.rejects(
        filters.create('kytos/topology\\.', '', 'allow', { topic }),
        (error) =>
          error instanceof InvalidRuleError && /not a valid Kafka topic name/.test(error.message),
      );
    }
    await assert.rejects(
      filters.create('kytos/topology\\.', '', 'deny', { topic: 'kytos.denied' }),
      (error) => error instanceof InvalidRuleError && /deny rule/.test(error.message),
    );
    topics.refuse = Object.assign(new Error('Topic creation errors'), {
      name: 'KafkaJSAggregateError',
      errors: [
        Object.assign(new Error('Replication-factor is invalid'), {
          name: 'KafkaJSCreateTopicError',
          type: 'INVALID_REPLICATION_FACTOR',
          retriable: false,
        }),
      ],
    });
    await assert.rejects(
      filters.create('kytos/topology\\.', '', 'allow', { topic: 'kytos.topology' }),
      (error) =>
        error instanceof InvalidRuleError &&
        /Kafka refuses topic kytos.topology: INVALID_REPLICATION_FACTOR/.test(error.message),
    );
    topics.refuse = Object.assign(new Error('Connection error: ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    await assert.rejects(
      filters.create('kytos/topology\\.', '', 'allow', { topic: 'kytos.topology' }),
      RulesUnavailableError,
    );
    assert.equal(
      filters.list().filter((listed) => listed.mutable).length,
      1,
      'none of those was added',
    );
  });

  it('refuses a duplicate rule, a bad regex and an over-long pattern', async () => {
    const filters = serviceWith({ FILTER_MAX_PATTERN_LENGTH: '10' });
    await assert.rejects(filters.create('kytos[./](.*)', '', 'allow'), InvalidRuleError);
    await assert.rejects(filters.create('a(', '', 'allow'), /invalid regular expression/);
    await assert.rejects(filters.create('a'.repeat(11), '', 'allow'), /longer than 10/);
    await filters.create('x', '', 'allow');
    await assert.rejects(filters.create('x', 'again', 'allow'), /already exists/);
    await filters.create('x', 'the same pattern, denying', 'deny');
  });

  it('refuses patterns only a backtracking engine runs (backreferences, lookarounds)', async () => {
    const filters = serviceWith();
    await assert.rejects(filters.create('(a)\\1', '', 'allow'), /invalid regular expression/);
    await assert.rejects(filters.create('kytos(?=/)', '', 'allow'), /invalid regular expression/);
  });

  it('enforces rules that cannot be joined as text (a group name reused, an open \\Q)', async () => {
    const filters = serviceWith();
    await filters.create('kytos/(?P<napp>mef_eline)\\.', 'EVCs', 'allow');
    await filters.create('kytos/(?P<napp>topology)\\.x', 'topology x', 'allow');
    await filters.create('\\Qtopology.interruption.', 'interruptions', 'allow');
    const deny = await filters.create('kytos/mef_eline\\.deleted', 'no deletions', 'deny');
    assert.ok(filters.decide('topology.interruption.start'));
    assert.ok(!filters.decide('topologyXinterruption.start'));
    assert.ok(!filters.decide('kytos/mef_eline.deleted'));
    assert.deepEqual(filters.explain('kytos/mef_eline.deleted').deniedBy, [deny.id]);
    assert.equal(filters.ready, true);
  });

  it('refuses a rule that compiles alone but not with the others', async () => {
    // Each about 300,000 RE2 instructions: five exceed RE2's program size (1.4 million).
    const huge = (letter: string) => `${letter}${'[a-z]{1000}'.repeat(300)}`;
    const presets = [...'abcd'].map((letter) => ({ pattern: huge(letter) }));
    const filters = serviceWith({
      FILTER_PRESETS: JSON.stringify(presets),
      FILTER_MAX_PATTERN_LENGTH: '4096',
    });
    await assert.rejects(filters.create(huge('e'), '', 'allow'), (error: unknown) => {
      assert.ok(error instanceof InvalidRuleError);
      assert.match(error.message, /do not compile into one RE2 program/);
      return true;
    });
    assert.equal(filters.list().length, 4);
    assert.equal(filters.ready, true);
  });

  it('refuses a rule past the limit', async () => {
    const filters = serviceWith({ FILTER_MAX_RULES: '1' });
    await filters.create('a', '', 'allow');
    await assert.rejects(filters.create('b', '', 'allow'), RuleConflictError);
  });

  it('refuses to delete a preset or an unknown id', async () => {
    const filters = serviceWith();
    const [preset] = filters.list();
    await assert.rejects(filters.remove(preset?.id ?? ''), PresetRuleError);
    await assert.rejects(filters.remove('0000000000000000'), RuleNotFoundError);
    assert.throws(() => filters.get('0000000000000000'), RuleNotFoundError);
    assert.equal(filters.get(preset?.id ?? '').pattern, 'kytos[./](.*)');
  });

  it('takes no change while the store is still loading', async () => {
    const filters = serviceWith({}, new LoadingStore());
    assert.equal(filters.ready, false);
    await assert.rejects(filters.create('x', '', 'allow'), RulesUnavailableError);
  });

  it('stops the start when a preset does not compile', () => {
    assert.throws(() => serviceWith({ FILTER_PRESETS: '[{"pattern":"a("}]' }), ConfigError);
  });
});
