// Type declarations for the two codec packages that ship none.
declare module 'kafkajs-snappy' {
  const SnappyCodec: () => {
    compress(encoder: { buffer: Buffer }): Promise<Buffer>;
    decompress(buffer: Buffer): Promise<Buffer>;
  };
  export default SnappyCodec;
}

declare module 'lz4js' {
  const lz4: {
    compress(source: Uint8Array): Uint8Array;
    decompress(source: Uint8Array): Uint8Array;
  };
  export default lz4;
}
