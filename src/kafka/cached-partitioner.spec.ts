import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { CachedPartitioner, partitionChosenFor } from './cached-partitioner.js';
import { partitionsOf } from './kafka-answer.fixture.js';
import { partitionOfKey } from './murmur2.js';

describe('CachedPartitioner', () => {
  it("puts every key where kafkajs' DefaultPartitioner (murmur2) puts it, asked once or often", () => {
    const cached = CachedPartitioner();
    const reference = kafkajs.Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 300 }, (_, i) => `kytos/topology.link_${i % 37}.${i}`);
    for (const count of [1, 3, 7, 3]) {
      const partitionMetadata = partitionsOf(count);
      const spread = new Set<number>();
      for (const key of [...keys, ...keys]) {
        const args = { topic: 'event_logs', partitionMetadata, message: { key, value: null } };
        const partition = cached(args);
        assert.equal(partition, reference(args), `${key} with ${count} partitions`);
        spread.add(partition);
      }
      assert.equal(spread.size, count, 'the keys spread over every partition');
    }
  });

  it('places long and non-ASCII keys as Kafka does (murmur2 of the UTF-8 bytes)', () => {
    const cached = CachedPartitioner();
    const partitionMetadata = partitionsOf(7);
    for (const key of ['\u96fb'.repeat(100_000), 'x'.repeat(261_000), '\u{1F680}']) {
      const args = { topic: 'event_logs', partitionMetadata, message: { key, value: null } };
      assert.equal(cached(args), partitionOfKey(key, 7));
      const asBytes = { ...args, message: { key: Buffer.from(key, 'utf8'), value: null } };
      assert.equal(cached(asBytes), partitionOfKey(key, 7));
    }
  });

  it('leaves a message without a key, or with a partition, to the default', () => {
    const cached = CachedPartitioner();
    const partitionMetadata = partitionsOf(3);
    const partitions = new Set(
      Array.from({ length: 30 }, () =>
        cached({ topic: 't', partitionMetadata, message: { key: null, value: null } }),
      ),
    );
    assert.equal(partitions.size, 3, 'round robin over the partitions');
    const pinned = { key: 'kytos/x', value: null, partition: 2 };
    assert.equal(cached({ topic: 't', partitionMetadata, message: pinned }), 2);
  });

  it('tells where it placed each message, for reading a produce answer', () => {
    const cached = CachedPartitioner();
    const partitionMetadata = partitionsOf(5);
    const messages = Array.from({ length: 20 }, (_, i) => ({
      key: i % 2 === 0 ? `kytos/switch.${i}` : null,
      value: null,
    }));
    const placed = messages.map((message) => cached({ topic: 't', partitionMetadata, message }));
    assert.deepEqual(
      messages.map((message) => partitionChosenFor(message)),
      placed,
    );
    assert.equal(partitionChosenFor({ key: 'kytos/switch.0', value: null }), undefined);
  });
});
