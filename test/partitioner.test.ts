import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { murmur2, partitionOfKey } from '../src/kafka/murmur2.js';
import { repoRoot } from './support/repo-root.js';

const run = promisify(execFile);

interface Reference {
  hash: number;
  partition: number;
}

/** Kafka's own Utils.murmur2 and BuiltInPartitioner.partitionForKey, from the broker's jars. */
async function kafkaReference(cases: { key: Buffer; partitions: number }[]): Promise<Reference[]> {
  const child = run(
    'java',
    [
      '-Xmx256m',
      '-cp',
      join(repoRoot, '.kafka/libs/*'),
      join(repoRoot, 'test/support/java/KafkaPartitionOfKey.java'),
    ],
    { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  child.child.stdin?.end(
    cases.map(({ key, partitions }) => `${partitions} ${key.toString('base64')}\n`).join(''),
  );
  const { stdout } = await child;
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [hash, partition] = line.split(' ').map(Number);
      return { hash, partition };
    });
}

describe("the partitioner against Apache Kafka's Java client", () => {
  it('hashes and places every key where Kafka does, whatever its bytes and length', async () => {
    const texts = [
      '',
      'a',
      'kytos/topology.link_up',
      '00:00:00:00:00:00:00:01',
      '\u7db2\u7d61\u4ea4\u63db\u6a5f',
      '\u{1F680} evc',
      '\u96fb'.repeat(120_000),
      'x'.repeat(261_000),
    ];
    const cases = [
      ...texts.map((text, i) => ({
        key: Buffer.from(text, 'utf8'),
        partitions: [1, 3, 7, 64][i % 4],
      })),
      ...Array.from({ length: 200 }, (_, i) => ({
        key: randomBytes(i % 67),
        partitions: 1 + (i % 13),
      })),
    ];
    const reference = await kafkaReference(cases);
    assert.equal(reference.length, cases.length);
    cases.forEach(({ key, partitions }, i) => {
      assert.equal(murmur2(key), reference[i].hash, `murmur2 of case ${i} (${key.length} bytes)`);
      assert.equal(
        partitionOfKey(key, partitions),
        reference[i].partition,
        `partition of case ${i}`,
      );
      const text = key.toString('utf8');
      if (Buffer.from(text, 'utf8').equals(key)) {
        assert.equal(partitionOfKey(text, partitions), reference[i].partition, `case ${i} as text`);
      }
    });
  });
});
