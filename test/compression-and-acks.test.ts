import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { consoleConsume, storedCodecs } from './support/kafka-tools.js';
import { sampleEvents } from './support/sample-events.js';
import { EVENTS_PATH, postJson, startService } from './support/service.js';
import { countRecords, readTopic } from './support/topic-reader.js';

const permitted = sampleEvents.filter((event) => /^kytos[./]/.test(event.name));

function segmentsOf(broker: KafkaBroker, topic: string): string[] {
  const data = join(broker.dir, 'data');
  return readdirSync(data)
    .filter((folder) => folder.startsWith(`${topic}-`))
    .flatMap((folder) =>
      readdirSync(join(data, folder))
        .filter((file) => file.endsWith('.log'))
        .map((file) => join(data, folder, file)),
    );
}

async function publishSamples(env: Record<string, string>): Promise<void> {
  const service = await startService(env);
  try {
    const answer = await postJson(service.url + EVENTS_PATH, sampleEvents);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.published, permitted.length);
  } finally {
    await service.close();
  }
}

describe('every accepted compression codec works against the broker', () => {
  let broker: KafkaBroker;
  before(async () => {
    broker = await KafkaBroker.start();
  });
  after(async () => broker?.stop());

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`KAFKA_COMPRESSION=${codec}: stored with that codec, read back by Kafka's own consumer`, async () => {
      const topic = `codec_${codec}`;
      await publishSamples({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_COMPRESSION: codec,
      });

      const codecs = new Set(await storedCodecs(segmentsOf(broker, topic)));
      assert.deepEqual([...codecs], [codec]);

      // Exactly one record per event in the topic, counted by its offsets...
      assert.equal(await countRecords(broker.brokers, topic), permitted.length);
      // ...and every one of them read back by Kafka's console consumer. Its group may rebalance
      // as it joins and start over, so a record can come twice: read until every id came.
      const values = await consoleConsume(broker.brokers, topic, permitted.length * 2, 5_000);
      const ids = [...new Set(values.map((value) => (JSON.parse(value) as { id: string }).id))];
      assert.deepEqual(ids.sort(), permitted.map((event) => event.id).sort());
      const first = permitted[0];
      assert.ok(first);
      const decoded = values.map((value) => JSON.parse(value) as { id: string; message: unknown });
      assert.deepEqual(decoded.find((value) => value.id === first.id)?.message, first.content);
    });
  }

  for (const acks of ['1', '0']) {
    it(`KAFKA_ACKS=${acks} (non-idempotent) publishes every permitted event`, async () => {
      const topic = `acks_${acks}`;
      await publishSamples({
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_ACKS: acks,
        KAFKA_IDEMPOTENT: 'false',
      });
      const records = await readTopic(broker.brokers, topic, permitted.length);
      assert.deepEqual(
        records.map((record) => record.headers['kytos-event-id']).sort(),
        permitted.map((event) => event.id).sort(),
      );
    });
  }
});
