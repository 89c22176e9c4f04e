import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { murmur2, partitionOfKey } from './murmur2.js';

describe('murmur2', () => {
  it("gives the values of Apache Kafka's UtilsTest.testMurmur2", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of cases) {
      assert.equal(murmur2(Buffer.from(key)), expected, key);
    }
  });

  it('hashes the UTF-8 bytes of a string key and keeps the partition within range', () => {
    const key = '\u96fb\u{1F680}';
    for (const partitions of [1, 2, 3, 100]) {
      const partition = partitionOfKey(key, partitions);
      assert.equal(partition, partitionOfKey(Buffer.from(key, 'utf8'), partitions));
      assert.ok(partition >= 0 && partition < partitions);
    }
  });
});
