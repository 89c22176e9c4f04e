import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

const DECODERS = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
} as const;

/**
 * Reads a request's body as sent, at most `limit` bytes (413 at once when Content-Length
 * already says more), handing each chunk to `onChunk` as it arrives (a signature is computed
 * in step with the reading, never over a second copy).
 */
export function readRawBody(
  request: IncomingMessage,
  limit: number,
  onChunk?: (chunk: Buffer) => void,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      onChunk?.(chunk);
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onAborted = () => fail(new Error('the client closed the request before its end'));
    const cleanup = () => {
      request.off('data', onData).off('end', onEnd).off('error', fail).off('aborted', onAborted);
    };
    request.on('data', onData).on('end', onEnd).on('error', fail).on('aborted', onAborted);
  });
}

/**
 * Undoes the Content-Encoding off the event loop (zlib's thread pool), stopping at `limit`
 * bytes of output: a small compressed bomb costs the bytes it was allowed to become, no more.
 */
export async function decodeBody(
  raw: Buffer,
  encoding: string | undefined,
  limit: number,
): Promise<Buffer> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return raw;
  const decode = DECODERS[name as keyof typeof DECODERS] as (typeof DECODERS)['gzip'] | undefined;
  if (!decode) {
    throw new UnsupportedMediaTypeException(
      `Content-Encoding ${JSON.stringify(encoding)} is not supported (gzip, deflate, br or none)`,
    );
  }
  try {
    return await decode(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new BadRequestException(
      `the body is not valid ${name} data: ${(error as Error).message}`,
    );
  }
}

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException(
    `the body is larger than ${limit} bytes (INGEST_MAX_BODY_BYTES)`,
  );
}
