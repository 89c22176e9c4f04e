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
 * blocks, so each block is compressed here on its own, by `compressBlock`.
 */
export function compressLz4Frame(source: Buffer): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt32LE(MAGIC, 0);
  header[4] = FLG;
  header[5] = BD;
  header[6] = (xxh32.hash(0, header, 4, 2) >>> 8) & 0xff;
  const parts: Buffer[] = [header];
  const table = new Int32Array(HASH_SIZE);
  const scratch = Buffer.alloc(lz4.compressBound(BLOCK_SIZE));
  for (let start = 0; start < source.length; start += BLOCK_SIZE) {
    const block = source.subarray(start, Math.min(start + BLOCK_SIZE, source.length));
    const size = compressBlock(block, scratch, table);
    const length = Buffer.alloc(4);
    if (size >= block.length) {
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

const HASH_SIZE = 1 << 16;
const MIN_MATCH = 4;
/** The LZ4 block format's end rules: the last match starts 12 bytes or more before the end... */
const MATCH_FIND_LIMIT = 12;
/** ... and the last 5 bytes are literals. */
const LAST_LITERALS = 5;

/**
 * One LZ4 block (greedy, one hash probe a position), keeping the format's end rules, which
 * Kafka's decoder (lz4-java) enforces: lz4js' compressBlock lets a match start 10 bytes before
 * the end, and the broker then failed whole batches ("Error decoding offset"). Returns the
 * compressed size; `dst` holds at least `lz4.compressBound(src.length)` bytes.
 */
export function compressBlock(src: Uint8Array, dst: Uint8Array, table: Int32Array): number {
  table.fill(-1);
  const end = src.length;
  let anchor = 0;
  let out = 0;
  const writeLength = (length: number): void => {
    for (; length >= 0xff; length -= 0xff) dst[out++] = 0xff;
    dst[out++] = length;
  };
  const writeSequence = (literalsEnd: number, matchLength: number): void => {
    const literals = literalsEnd - anchor;
    const tokenPosition = out++;
    dst[tokenPosition] = (Math.min(literals, 15) << 4) | Math.min(matchLength, 15);
    if (literals >= 15) writeLength(literals - 15);
    dst.set(src.subarray(anchor, literalsEnd), out);
    out += literals;
  };
  for (let i = 0; i + MATCH_FIND_LIMIT <= end;) {
    const sequence = read32(src, i);
    const hash = Math.imul(sequence, 2654435761) >>> 16;
    const candidate = table[hash];
    table[hash] = i;
    if (candidate < 0 || i - candidate > 0xffff || read32(src, candidate) !== sequence) {
      i++;
      continue;
    }
    let matchEnd = i + MIN_MATCH;
    while (matchEnd < end - LAST_LITERALS && src[matchEnd] === src[candidate + matchEnd - i]) {
      matchEnd++;
    }
    const extra = matchEnd - i - MIN_MATCH;
    writeSequence(i, extra);
    const offset = i - candidate;
    dst[out++] = offset & 0xff;
    dst[out++] = offset >>> 8;
    if (extra >= 15) writeLength(extra - 15);
    i = anchor = matchEnd;
  }
  writeSequence(end, 0);
  return out;
}

function read32(src: Uint8Array, at: number): number {
  return src[at] | (src[at + 1] << 8) | (src[at + 2] << 16) | (src[at + 3] << 24);
}

export function decompressLz4Frame(frame: Buffer): Buffer {
  return Buffer.from(lz4.decompress(frame));
}
