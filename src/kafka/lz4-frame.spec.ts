import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { compressLz4Frame, decompressLz4Frame } from './lz4-frame.js';

describe('LZ4 frame for Kafka', () => {
  it('declares independent blocks of 64 KB, as Kafka requires', () => {
    const frame = compressLz4Frame(Buffer.from('kytos'));
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    assert.equal(frame[4], 0x60);
    assert.equal(frame[5], 0x40);
  });

  it('round-trips repetitive JSON across several blocks, smaller than it was', () => {
    const json = Buffer.from(
      JSON.stringify(
        Array.from({ length: 8000 }, (_, i) => ({ event: 'kytos/topology.link_up', i })),
      ),
    );
    assert.ok(json.length > 3 * 64 * 1024);
    const frame = compressLz4Frame(json);
    assert.ok(frame.length < json.length / 2, `${frame.length} of ${json.length}`);
    assert.deepEqual(decompressLz4Frame(frame), json);
  });

  it('stores incompressible data raw and still round-trips it', () => {
    const noise = randomBytes(100_000);
    assert.deepEqual(decompressLz4Frame(compressLz4Frame(noise)), noise);
    assert.deepEqual(decompressLz4Frame(compressLz4Frame(Buffer.alloc(0))), Buffer.alloc(0));
  });
});
