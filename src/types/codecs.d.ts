// Type declarations for the codec packages that ship none.
declare module 'kafkajs-snappy' {
  const SnappyCodec: () => {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  export default SnappyCodec;
}

declare module 'lz4js' {
  const lz4: {
    compressBound(length: number): number;
    compressBlock(
      source: Uint8Array,
      destination: Uint8Array,
      sourceIndex: number,
      sourceLength: number,
      hashTable: Uint32Array,
    ): number;
    decompress(source: Uint8Array): Uint8Array;
  };
  export default lz4;
}

declare module 'lz4js/xxh32.js' {
  const xxh32: { hash(seed: number, source: Uint8Array, index: number, length: number): number };
  export default xxh32;
}
