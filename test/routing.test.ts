import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaBroker } from './support/kafka-broker.js';
import {
  EVENTS_PATH,
  FILTERS_PATH,
  RunningService,
  postJson,
  send,
  startService,
  startServiceIn,
} from './support/service.js';
import { readTopic, ReadRecord } from './support/topic-reader.js';

// Topic routing and per-entity keys from allow rules, checked with an independent consumer.

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

async function topicsOnBroker(): Promise<string[]> {
  const admin = new kafkajs.Kafka({
    brokers: [broker.brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

const evc = (name: string, id: string, step: number) => ({
  name: `kytos/mef_eline.${name}`,
  content: { evc: { id, name: `evc ${id}`, step } },
});

function stepsByKey(
  records: ReadRecord[],
): Map<string, { steps: number[]; partitions: Set<number> }> {
  const byKey = new Map<string, { steps: number[]; partitions: Set<number> }>();
  for (const record of records) {
    const entry = byKey.get(record.key ?? '') ?? { steps: [], partitions: new Set<number>() };
    entry.steps.push(
      (JSON.parse(record.value) as { message: { evc: { step: number } } }).message.evc.step,
    );
    entry.partitions.add(record.partition);
    byKey.set(record.key ?? '', entry);
  }
  return byKey;
}

for (const mode of ['kafka', 'spool'] as const) {
  describe(`rules that route and key, ${mode} mode`, () => {
    let service: RunningService;
    const prefix = `routing_${mode}`;

    before(async () => {
      service = await startServiceIn(mode, {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: `${prefix}_default`,
        KAFKA_TOPIC_PARTITIONS: '3',
        FILTER_STORE: 'memory',
      });
    });

    after(async () => service?.close());

    it('creates the topic with the rule, routes and keys by the most specific rule, in order per entity', async () => {
      const evcs = await postJson(service.url + FILTERS_PATH, {
        pattern: 'kytos/mef_eline\\.',
        description: 'EVCs, each in order',
        topic: `${prefix}_evcs`,
        key: '/content/evc/id',
      });
      assert.equal(evcs.status, 201, JSON.stringify(evcs.body));
      assert.deepEqual(Object.values(evcs.body)[0], {
        pattern: 'kytos/mef_eline\\.',
        mutable: true,
        description: 'EVCs, each in order',
        action: 'allow',
        topic: `${prefix}_evcs`,
        key: '/content/evc/id',
        hits: { allowed: 0, denied: 0 },
      });
      assert.ok((await topicsOnBroker()).includes(`${prefix}_evcs`), 'the rule made its topic');

      const dryRun = async (name: string) =>
        (
          await send(
            `${service.url}${FILTERS_PATH}/dry-run?name=${encodeURIComponent(name)}`,
            'GET',
          )
        ).body;
      const routed = await dryRun('kytos/mef_eline.created');
      assert.equal(routed.topic, `${prefix}_evcs`);
      assert.equal(routed.key, '/content/evc/id');
      const unrouted = await dryRun('kytos/topology.link_up');
      assert.equal(unrouted.topic, `${prefix}_default`);
      assert.equal(unrouted.key, null);
      assert.equal((await dryRun('topology.interruption.start')).topic, null);

      // Three circuits, ten steps each, interleaved, in requests of five events.
      const events = [];
      for (let step = 0; step < 10; step++) {
        for (const id of ['evc-a', 'evc-b', 'evc-c'])
          events.push(evc(step % 2 ? 'deployed' : 'created', id, step));
      }
      events.push({ name: 'kytos/topology.link_up', content: { link: { id: 'l1' } } });
      for (let at = 0; at < events.length; at += 5) {
        const answer = await postJson(service.url + EVENTS_PATH, events.slice(at, at + 5));
        assert.equal(answer.status, mode === 'kafka' ? 200 : 202, JSON.stringify(answer.body));
      }

      const routedRecords = await readTopic(broker.brokers, `${prefix}_evcs`, 30);
      assert.equal(routedRecords.length, 30);
      const byKey = stepsByKey(routedRecords);
      assert.deepEqual([...byKey.keys()].sort(), ['evc-a', 'evc-b', 'evc-c']);
      for (const [key, { steps, partitions }] of byKey) {
        assert.deepEqual(steps, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `${key}'s events in order`);
        assert.equal(partitions.size, 1, `${key}'s events on one partition`);
      }
      const rest = await readTopic(broker.brokers, `${prefix}_default`, 1);
      assert.equal(rest.length, 1);
      assert.equal(rest[0]?.key, 'kytos/topology.link_up');
      assert.equal(
        (JSON.parse(rest[0]?.value ?? '{}') as { event?: string }).event,
        'kytos/topology.link_up',
      );
    });

    it('refuses a topic or key that cannot be used, with a 400 that says why', async () => {
      const refused = async (rule: object, reason: RegExp) => {
        const answer = await postJson(service.url + FILTERS_PATH, rule);
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.match(String(answer.body.message), reason);
      };
      for (const topic of ['has space', 'x'.repeat(250), '__consumer_offsets', '..', null]) {
        await refused({ pattern: 'kytos/of_lldp\\.', topic }, /topic must/);
      }
      for (const key of ['content/switch', '/a/~2', null]) {
        await refused({ pattern: 'kytos/of_lldp\\.', key }, /key must/);
      }
      const reserved = await postJson(service.url + FILTERS_PATH, {
        pattern: 'kytos/of_lldp\\.',
        topic: 'kafka_events_filters',
      });
      assert.equal(reserved.status, 409, JSON.stringify(reserved.body));
      assert.match(String(reserved.body.message), /holds the permission rules/);
      await refused(
        { pattern: 'kytos/of_lldp\\.', action: 'deny', topic: `${prefix}_x` },
        /deny rule/,
      );
      assert.ok(!(await topicsOnBroker()).includes(`${prefix}_x`));
    });
  });
}

describe('a rule whose topic the broker refuses', () => {
  let service: RunningService;

  before(async () => {
    // One broker cannot hold three replicas: the broker refuses to create any such topic.
    service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'routing_refused_default',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      FILTER_STORE: 'memory',
    });
  });

  after(async () => service?.close());

  it("answers 400 with Kafka's reason instead of a time-out, and adds nothing", async () => {
    const started = Date.now();
    const answer = await postJson(service.url + FILTERS_PATH, {
      pattern: 'kytos/mef_eline\\.',
      topic: 'routing_refused_evcs',
    });
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.match(
      String(answer.body.message),
      /Kafka refuses topic routing_refused_evcs: INVALID_REPLICATION_FACTOR/,
    );
    assert.ok(Date.now() - started < 10_000, 'answered, not timed out');
    const rules = await send(service.url + FILTERS_PATH, 'GET');
    assert.ok(!JSON.stringify(rules.body).includes('routing_refused_evcs'));
  });
});
