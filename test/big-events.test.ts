import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { evcsLoaded, flowStats, topologyUpdated } from './support/big-kytos-events.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, send, startService } from './support/service.js';
import { readTopic } from './support/topic-reader.js';

// Kytos-ng's biggest events at production sizes reach Kafka whole, whatever the codec.

let broker: KafkaBroker;
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => broker?.stop());

const events = [flowStats(20_000), topologyUpdated(100, 400), evcsLoaded(2_000)];

for (const compression of [undefined, 'none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  describe(`KAFKA_COMPRESSION=${compression ?? '(default)'}`, () => {
    it('publishes 20,000 flows of one switch, a topology of 100 switches and 400 links, and 2,000 circuits, each read back equal', async () => {
      const topic = `big_${compression ?? 'default'}`;
      const service = await startService({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_TOPIC_PARTITIONS: '1',
        FILTER_STORE: 'memory',
        ...(compression ? { KAFKA_COMPRESSION: compression } : {}),
      });
      const posted: { id: string; name: string; content: string }[] = [];
      try {
        for (const { name, content } of events) {
          if (name === 'kytos/of_core.flow_stats.received') {
            assert.match(
              content,
              /"cookie":\d{17,},/,
              'the cookies are 64-bit numbers, not strings',
            );
          }
          const id = randomUUID();
          // As the NApp sends them: gzipped JSON.
          const body = gzipSync(`{"name":"${name}","id":"${id}","content":${content}}`);
          const answer = await send(service.url + EVENTS_PATH, 'POST', body, 'application/json', {
            'content-encoding': 'gzip',
          });
          assert.equal(answer.status, 200, `${name}: ${JSON.stringify(answer.body)}`);
          posted.push({ id, name, content });
        }
      } finally {
        await service.close();
      }
      const records = await readTopic(broker.brokers, topic, posted.length, 60_000);
      assert.equal(records.length, posted.length);
      for (const { id, name, content } of posted) {
        const record = records.find((candidate) => candidate.headers['kytos-event-id'] === id);
        assert.ok(record, `${name} is in the topic`);
        const { timestamp } = JSON.parse(record.value) as { timestamp: string };
        assert.equal(
          record.value,
          `{"event":"${name}","message":${content},"id":"${id}","timestamp":"${timestamp}"}`,
          `${name} read back equal, digit for digit`,
        );
      }
    });
  });
}
