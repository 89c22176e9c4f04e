import {
  BadRequestException,
  PayloadTooLargeException,
  RequestTimeoutException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { decodeBody, decodedBytesAtMost, readRawBody } from './body-reader.js';

/** A request whose body is what the test writes into it. */
function requestWith(headers: Record<string, string> = {}): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers }) as unknown as PassThrough & IncomingMessage;
}

describe('readRawBody', () => {
  it('hands each chunk on as it arrives and gives the whole body', async () => {
    const request = requestWith();
    const seen: string[] = [];
    const body = readRawBody(request, {
      limit: 100,
      timeoutMs: 5000,
      onChunk: (c) => seen.push(String(c)),
    });
    request.write('{"a":');
    request.end('1}');
    assert.equal(String(await body), '{"a":1}');
    assert.deepEqual(seen, ['{"a":', '1}']);
  });

  it('refuses a body over its limit (413), at once when Content-Length says so', async () => {
    await assert.rejects(
      readRawBody(requestWith({ 'content-length': '101' }), { limit: 100, timeoutMs: 5000 }),
      PayloadTooLargeException,
    );
    const request = requestWith();
    const body = readRawBody(request, { limit: 4, timeoutMs: 5000 });
    request.end('12345');
    await assert.rejects(body, PayloadTooLargeException);
  });

  it('gives up on a body that does not arrive in time (408), and on a cut one', async () => {
    await assert.rejects(
      readRawBody(requestWith(), { limit: 100, timeoutMs: 20 }),
      RequestTimeoutException,
    );
    const cut = new AbortController();
    const body = readRawBody(requestWith(), { limit: 100, timeoutMs: 5000, signal: cut.signal });
    cut.abort(new Error('closing'));
    await assert.rejects(body, /closing/);
  });
});

describe('decodeBody', () => {
  it('inflates gzip up to the limit, no further', async () => {
    const raw = gzipSync('x'.repeat(1000));
    assert.equal((await decodeBody(raw, 'gzip', 1000)).length, 1000);
    await assert.rejects(decodeBody(raw, 'gzip', 999), PayloadTooLargeException);
    assert.equal(decodedBytesAtMost(raw, 'gzip', 1000), 1000, 'room for what it may become');
    assert.equal(decodedBytesAtMost(raw, undefined, 1000), raw.length);
  });

  it('refuses an unknown encoding (415) and bytes that are not what they claim (400)', async () => {
    await assert.rejects(decodeBody(Buffer.from('{}'), 'zip', 100), UnsupportedMediaTypeException);
    await assert.rejects(decodeBody(Buffer.from('{}'), 'gzip', 100), BadRequestException);
    assert.equal(String(await decodeBody(Buffer.from('{}'), ' Identity ', 100)), '{}');
  });
});
