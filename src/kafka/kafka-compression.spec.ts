import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import kafkajs from 'kafkajs';
import { compressedSize, GZIP_ON_LOOP_MAX_BYTES, useCompression } from './kafka-compression.js';
import { worstCaseCompressedBytes } from './record-batch-bytes.js';
import { KAFKA_COMPRESSIONS } from './kafka.settings.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const EVENT_JSON = '{"event":"kytos/topology.link_up"}';

/** What kafkajs asks of a codec (its types say `any`). */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

describe('gzip for Kafka batches', () => {
  it('compresses batches below and above the on-loop limit into gzip that inflates back', async () => {
    assert.equal(await useCompression('gzip'), CompressionTypes.GZIP);
    const codec = CompressionCodecs[CompressionTypes.GZIP]() as Codec;
    for (const size of [0, 600, GZIP_ON_LOOP_MAX_BYTES, GZIP_ON_LOOP_MAX_BYTES + 1, 400_000]) {
      // Half random (incompressible), half repeated JSON: both paths meet both kinds.
      const half = Math.floor(size / 2);
      const json = Buffer.from(EVENT_JSON.repeat(Math.ceil((size - half) / EVENT_JSON.length)));
      const buffer = Buffer.concat([randomBytes(half), json]).subarray(0, size);
      assert.equal(buffer.length, size);
      const compressed = await codec.compress({ buffer });
      assert.deepEqual(gunzipSync(compressed), buffer, `${size} bytes`);
      assert.deepEqual(await codec.decompress(compressed), buffer, `${size} bytes back`);
    }
  });
});

describe('worstCaseCompressedBytes', () => {
  it('is never below what a codec makes of data it cannot shrink', async () => {
    for (const compression of KAFKA_COMPRESSIONS) {
      const type = await useCompression(compression);
      for (const size of [0, 1, 1000, 65_536, 65_537, 1_048_576]) {
        // Random printable text: what lz4 stores block by block, uncompressed.
        const buffer = Buffer.from(Array.from(randomBytes(size), (byte) => 32 + (byte % 95)));
        const bound = worstCaseCompressedBytes(compression, size);
        const compressed = await compressedSize(type, buffer);
        assert.ok(compressed <= bound, `${compression}, ${size} bytes: ${compressed} > ${bound}`);
        const random = await compressedSize(type, randomBytes(size));
        assert.ok(random <= bound, `${compression}, ${size} random bytes: ${random} > ${bound}`);
      }
    }
  });

  it('counts lz4 frames that grow incompressible data', async () => {
    const type = await useCompression('lz4');
    const size = 1_048_251;
    const compressed = await compressedSize(type, randomBytes(size));
    assert.ok(compressed > size, 'lz4 grows random bytes');
    assert.ok(worstCaseCompressedBytes('lz4', size) >= compressed);
  });
});
