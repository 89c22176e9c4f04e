import type { KafkaCompression } from './kafka.settings.js';

/** A record batch's header (record format v2): what a batch adds to its records' bytes. */
export const RECORD_BATCH_HEADER_BYTES = 61;

/**
 * What a produce request adds around its record batch, at most: the request header with a client
 * id of 128 characters, acks, timeout, a topic name of 249 characters, the partition and sizes.
 */
export const PRODUCE_REQUEST_OVERHEAD_BYTES = 512;

/**
 * Kafka's default socket.request.max.bytes: a broker closes the connection of a larger request
 * without answering it (the client sees a transient fault).
 */
export const KAFKA_DEFAULT_REQUEST_MAX_BYTES = 104_857_600;

/** lz4-frame.ts' frame: a 7-byte header, a 4-byte end mark, and each 64 KiB block's 4-byte length. */
const LZ4_FRAME_BYTES = 11;
const LZ4_BLOCK_BYTES = 64 * 1024;

/**
 * The most bytes `bytes` can take once compressed with `compression`, whatever they hold: data
 * no codec shrinks grows by the codec's framing (lz4's block lengths, deflate's stored blocks,
 * zstd's raw blocks, snappy's literal tags). Each bound is its codec's own (zlib's deflateBound
 * with the gzip wrapper, snappyjs' maxCompressedLength, ZSTD_COMPRESSBOUND).
 */
export function worstCaseCompressedBytes(compression: KafkaCompression, bytes: number): number {
  switch (compression) {
    case 'none':
      return bytes;
    case 'lz4':
      return bytes + LZ4_FRAME_BYTES + 4 * Math.max(1, Math.ceil(bytes / LZ4_BLOCK_BYTES));
    case 'gzip':
      return bytes + (bytes >>> 12) + (bytes >>> 14) + (bytes >>> 25) + 7 + 18;
    case 'snappy':
      return 32 + bytes + Math.floor(bytes / 6);
    case 'zstd':
      return bytes + (bytes >>> 8) + (bytes < 128 * 1024 ? (128 * 1024 - bytes) >>> 11 : 0);
  }
}

/** The largest record batch one record of `recordBytes` (as Kafka counts it) can make. */
export function largestRecordBatchBytes(
  compression: KafkaCompression,
  recordBytes: number,
): number {
  return RECORD_BATCH_HEADER_BYTES + worstCaseCompressedBytes(compression, recordBytes);
}
