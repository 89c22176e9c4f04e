import {
  BadRequestException,
  PayloadTooLargeException,
  RequestTimeoutException,
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

/** How a body is read: its cap, its deadline, what sees each chunk and what may cut it short. */
export interface RawBodyOptions {
  /** Most bytes (413 beyond, at once when Content-Length already says more). */
  limit: number;
  /** Longest time the body may take to arrive (408 beyond). */
  timeoutMs: number;
  /** Sees each chunk as it arrives; throwing refuses the request with that error. */
  onChunk?: (chunk: Buffer) => void;
  /** Aborted: the read stops at once and fails with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Reads a request's body as sent, handing each chunk to `onChunk` as it arrives (a signature is
 * computed in step with the reading, never over a second copy).
 */
export function readRawBody(
  request: IncomingMessage,
  { limit, timeoutMs, onChunk, signal }: RawBodyOptions,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
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
      try {
        onChunk?.(chunk);
      } catch (error) {
        return fail(error as Error);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onAborted = () => fail(new Error('the client closed the request before its end'));
    const onCut = () => fail(signal?.reason as Error);
    const timer = setTimeout(
      () =>
        fail(
          new RequestTimeoutException(
            `the body did not arrive within ${timeoutMs} ms (INGEST_BODY_TIMEOUT_MS)`,
          ),
        ),
      timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCut);
      request.off('data', onData).off('end', onEnd).off('error', fail).off('aborted', onAborted);
    };
    signal?.addEventListener('abort', onCut);
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
  const name = encodingName(encoding);
  if (name === 'identity') return raw;
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

/** The most bytes `raw` may become once decoded: itself, or anything up to `limit`. */
export function decodedBytesAtMost(
  raw: Buffer,
  encoding: string | undefined,
  limit: number,
): number {
  return encodingName(encoding) === 'identity' ? raw.length : limit;
}

function encodingName(encoding: string | undefined): string {
  return (encoding ?? '').trim().toLowerCase() || 'identity';
}

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException(
    `the body is larger than ${limit} bytes (INGEST_MAX_BODY_BYTES)`,
  );
}
