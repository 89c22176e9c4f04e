import lz4 from 'lz4js';
import xxh32 from 'lz4js/xxh32.js';

const MAGIC = 0x184d2204;
const BLOCK_SIZE = 64 * 1024;
/** FLG: version 01, blocks independent. Kafka refuses frames whose blocks depend on each other. */
const FLG = 0x40 | 0x20;
/** BD: maximum block size 64 KB (code 4), as Kafka's own LZ4 writer uses. */
const BD = 4 << 4;
const UNCOMPRESSED = 0x80000000;

/**
 * An LZ4 frame in the shape Kafka's Lz4BlockInputStream reads: lz4js' own frame writer chains its
 * blocks, so each block is compressed here on its own, with a fresh match table.
 */
export function compressLz4Frame(source: Buffer): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt32LE(MAGIC, 0);
  header[4] = FLG;
  header[5] = BD;
  header[6] = (xxh32.hash(0, header, 4, 2) >>> 8) & 0xff;
  const parts: Buffer[] = [header];
  const table = new Uint32Array(1 << 16);
  const scratch = Buffer.alloc(lz4.compressBound(BLOCK_SIZE));
  for (let start = 0; start < source.length; start += BLOCK_SIZE) {
    const block = source.subarray(start, Math.min(start + BLOCK_SIZE, source.length));
    table.fill(0);
    const size = lz4.compressBlock(block, scratch, 0, block.length, table);
    const length = Buffer.alloc(4);
    if (size === 0 || size >= block.length) {
      length.writeUInt32LE((UNCOMPRESSED | block.length) >>> 0, 0);
      parts.push(length, Buffer.from(block));
    } else {
      length.writeUInt32LE(size, 0);
      parts.push(length, Buffer.from(scratch.subarray(0, size)));
    }
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function decompressLz4Frame(frame: Buffer): Buffer {
  return Buffer.from(lz4.decompress(frame));
}
