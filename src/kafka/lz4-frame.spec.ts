import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { compressBlock, compressLz4Frame, decompressLz4Frame } from './lz4-frame.js';

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

  it('keeps the block format end rules that Kafka decoder enforces, for any data', () => {
    // A flow table's JSON: lz4js' compressBlock let 8 of its 56 blocks end with a match that
    // starts 11 or 10 bytes before the end, and the broker refused those batches.
    const flows = Buffer.from(
      JSON.stringify(
        Array.from({ length: 40_000 }, (_, i) => ({
          match: { in_port: 1 + (i % 48), dl_vlan: 1 + (i % 4000) },
          cookie: 12_284_372_328_023_095_000 + i * 7919,
          packet_count: 10_000 + i * 13,
        })),
      ),
    );
    const inputs = [flows, Buffer.concat([randomBytes(500), Buffer.alloc(70_000, 'x')])];
    const table = new Int32Array(1 << 16);
    const dst = Buffer.alloc(2 * 64 * 1024);
    for (const input of inputs) {
      for (let start = 0; start < input.length; start += 64 * 1024) {
        const block = input.subarray(start, start + 64 * 1024);
        const size = compressBlock(block, dst, table);
        const { lastMatchStart, trailingLiterals, decoded } = walkBlock(dst.subarray(0, size));
        assert.deepEqual(decoded, Buffer.from(block));
        assert.ok(lastMatchStart <= block.length - 12, `last match at ${lastMatchStart}`);
        assert.ok(trailingLiterals >= 5, `${trailingLiterals} trailing literals`);
      }
    }
  });
});

/** Decodes one LZ4 block, noting where its last match started and how many literals end it. */
function walkBlock(block: Buffer) {
  const out: number[] = [];
  let at = 0;
  let lastMatchStart = -1;
  let trailingLiterals = 0;
  const length = (base: number) => {
    let value = base;
    if (base === 15) {
      let byte;
      do value += byte = block[at++] ?? 0;
      while (byte === 255);
    }
    return value;
  };
  while (at < block.length) {
    const token = block[at++] ?? 0;
    const literals = length(token >> 4);
    for (let i = 0; i < literals; i++) out.push(block[at++] ?? 0);
    trailingLiterals = literals;
    if (at >= block.length) break;
    const offset = (block[at] ?? 0) | ((block[at + 1] ?? 0) << 8);
    at += 2;
    lastMatchStart = out.length;
    const match = length(token & 15) + 4;
    for (let i = 0; i < match; i++) out.push(out[out.length - offset] ?? 0);
  }
  return { lastMatchStart, trailingLiterals, decoded: Buffer.from(out) };
}
