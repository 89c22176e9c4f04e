import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, RunningService, postJson, startServiceIn } from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

// A sender's retry after a lost answer: the events it already delivered are not published again.

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

const linkEvent = (id: string) => ({
  id,
  name: 'kytos/topology.link_up',
  timestamp: '2026-11-25T10:00:00.000Z',
  content: { link: { id: `link-${id.slice(0, 8)}` } },
});

for (const mode of ['kafka', 'spool'] as const) {
  describe(`duplicates absorbed, ${mode} mode`, () => {
    let service: RunningService;
    const topic = `dedupe_${mode}`;
    const counted = mode === 'kafka' ? 'published' : 'spooled';

    before(async () => {
      service = await startServiceIn(mode, {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        FILTER_STORE: 'memory',
      });
    });

    after(async () => service?.close());

    it('answers a resent batch as duplicates and Kafka holds each event once', async () => {
      const ids = Array.from({ length: 5 }, () => randomUUID());
      const first = await postJson(service.url + EVENTS_PATH, ids.map(linkEvent));
      assert.equal(first.body[counted], 5, JSON.stringify(first.body));
      assert.equal(first.body.duplicates, 0);

      const resent = await postJson(service.url + EVENTS_PATH, ids.map(linkEvent));
      assert.deepEqual(resent.body, { accepted: 5, [counted]: 0, filtered: 0, duplicates: 5 });

      const fresh = [randomUUID(), randomUUID()];
      const mixed = await postJson(service.url + EVENTS_PATH, [
        ...[...ids.slice(0, 3), ...fresh].map(linkEvent),
        linkEvent(fresh[0] ?? ''),
      ]);
      assert.deepEqual(mixed.body, {
        accepted: 6,
        [counted]: 2,
        filtered: 0,
        duplicates: 4,
      });

      const records = await readTopic(broker.brokers, topic, 7);
      const seen = records.map((record) => record.headers['kytos-event-id']);
      assert.deepEqual([...seen].sort(), [...ids, ...fresh].sort(), 'each event once');
      // Nothing more arrives later (the spool's forwarder included).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(await countRecords(broker.brokers, topic), 7);

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /^kafka_events_duplicates_total 9$/m);
    });

    it('claims an id only for a published event, and knows a UUID in any letter case', async () => {
      const shared = randomUUID();
      const denied = { ...linkEvent(shared), name: 'kytos/of_core.v0x04.messages.in.ofpt_echo' };
      const both = await postJson(service.url + EVENTS_PATH, [denied, linkEvent(shared)]);
      assert.deepEqual(both.body, { accepted: 2, [counted]: 1, filtered: 1, duplicates: 0 });
      const upper = await postJson(service.url + EVENTS_PATH, linkEvent(shared.toUpperCase()));
      assert.deepEqual(upper.body, { accepted: 1, [counted]: 0, filtered: 0, duplicates: 1 });
      const records = await readTopic(broker.brokers, topic, 8);
      assert.equal(
        records.filter((record) => record.headers['kytos-event-id'] === shared).length,
        1,
        'the allowed event is in Kafka, once',
      );
    });
  });
}
