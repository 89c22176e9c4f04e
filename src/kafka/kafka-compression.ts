import {
  compress as zstdCompress,
  decompress as zstdDecompress,
  init as zstdInit,
} from '@bokuweb/zstd-wasm';
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { gzip, gzipSync, unzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { KafkaCompression } from './kafka.settings.js';
import { compressLz4Frame, decompressLz4Frame } from './lz4-frame.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const gzipInPool = promisify(gzip);
const unzipInPool = promisify(unzip);

/**
 * Up to this size a batch is gzipped on the event loop. kafkajs' own codec always takes zlib's
 * asynchronous path, which for a small batch costs more CPU than the deflate itself (a stream
 * and a thread-pool round trip) and adds its latency to every produce request. Above it, the
 * thread pool keeps a large batch's deflate from holding the loop (`npm run bench`, gzip).
 */
export const GZIP_ON_LOOP_MAX_BYTES = 128 * 1024;

interface Encoder {
  buffer: Buffer;
}

/**
 * kafkajs ships only gzip; the other codecs Kafka knows are plugged in here, in pure JS or WASM
 * so that nothing needs a native build, and gzip is replaced by one that spares small batches
 * the thread pool. Returns kafkajs' code for the chosen codec.
 */
export async function useCompression(compression: KafkaCompression): Promise<number> {
  switch (compression) {
    case 'none':
      return CompressionTypes.None;
    case 'gzip':
      CompressionCodecs[CompressionTypes.GZIP] = () => ({
        compress: ({ buffer }: Encoder) =>
          buffer.length <= GZIP_ON_LOOP_MAX_BYTES
            ? Promise.resolve(gzipSync(buffer))
            : gzipInPool(buffer),
        decompress: (buffer: Buffer) => unzipInPool(buffer),
      });
      return CompressionTypes.GZIP;
    case 'snappy':
      CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
      return CompressionTypes.Snappy;
    case 'lz4':
      CompressionCodecs[CompressionTypes.LZ4] = () => ({
        compress: (encoder: Encoder) => Promise.resolve(compressLz4Frame(encoder.buffer)),
        decompress: (buffer: Buffer) => Promise.resolve(decompressLz4Frame(buffer)),
      });
      return CompressionTypes.LZ4;
    case 'zstd':
      await zstdInit();
      CompressionCodecs[CompressionTypes.ZSTD] = () => ({
        compress: (encoder: Encoder) =>
          Promise.resolve(Buffer.from(zstdCompress(encoder.buffer, 3))),
        decompress: (buffer: Buffer) => Promise.resolve(Buffer.from(zstdDecompress(buffer))),
      });
      return CompressionTypes.ZSTD;
  }
}

/** The bytes `buffer` takes once compressed by kafkajs' codec `type` (as `useCompression` set it). */
export async function compressedSize(type: number, buffer: Buffer): Promise<number> {
  if (type === Number(CompressionTypes.None)) return buffer.length;
  const codec = CompressionCodecs[type as keyof typeof CompressionCodecs] as unknown as () => {
    compress(encoder: Encoder): Promise<Buffer>;
  };
  return (await codec().compress({ buffer })).length;
}
