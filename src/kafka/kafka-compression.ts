import {
  compress as zstdCompress,
  decompress as zstdDecompress,
  init as zstdInit,
} from '@bokuweb/zstd-wasm';
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import type { KafkaCompression } from '../config/app-config.js';
import { compressLz4Frame, decompressLz4Frame } from './lz4-frame.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

interface Encoder {
  buffer: Buffer;
}

/**
 * kafkajs ships only gzip; the other codecs Kafka knows are plugged in here, in pure JS or WASM
 * so that nothing needs a native build. Returns kafkajs' code for the chosen codec.
 */
export async function useCompression(compression: KafkaCompression): Promise<number> {
  switch (compression) {
    case 'none':
      return CompressionTypes.None;
    case 'gzip':
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
