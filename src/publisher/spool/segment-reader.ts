import { open } from 'node:fs/promises';
import { EventEnvelope } from '../event-envelope.js';
import { decodeRecord } from './spool-record.js';

export interface ReadBatch {
  envelopes: EventEnvelope[];
  /** Where the next read starts. */
  next: number;
  /** Set when the bytes from `next` on cannot be trusted (a torn tail, or damage). */
  damage?: string;
}

const READ_AHEAD_BYTES = 1024 * 1024;

/**
 * Reads whole records of one segment file between `from` and `end`, at most `maxEvents` of them
 * and about `maxBytes`. A record that does not check out ends the batch with `damage` set.
 */
export async function readSegment(
  path: string,
  from: number,
  end: number,
  maxEvents: number,
  maxBytes: number,
): Promise<ReadBatch> {
  const handle = await open(path, 'r');
  try {
    const envelopes: EventEnvelope[] = [];
    let position = from;
    let read = 0;
    while (position < end && envelopes.length < maxEvents && read < maxBytes) {
      let want = Math.min(end - position, Math.max(READ_AHEAD_BYTES, maxBytes - read));
      let chunk = await readAt(handle, position, want);
      let at = 0;
      while (at < chunk.length && envelopes.length < maxEvents && read < maxBytes) {
        const result = decodeRecord(chunk.subarray(at));
        if (result.kind === 'corrupt')
          return { envelopes, next: position + at, damage: result.reason };
        if (result.kind === 'incomplete') {
          if (position + at + result.bytes > end) {
            return {
              envelopes,
              next: position + at,
              damage: 'the segment ends inside a record (torn write)',
            };
          }
          if (at > 0) break;
          // One record larger than the chunk: read exactly it.
          want = result.bytes;
          chunk = await readAt(handle, position, want);
          if (chunk.length < want) {
            return {
              envelopes,
              next: position,
              damage: 'the segment is shorter than its records say',
            };
          }
          continue;
        }
        envelopes.push(result.envelope);
        at += result.bytes;
        read += result.bytes;
      }
      position += at;
    }
    return { envelopes, next: position };
  } finally {
    await handle.close();
  }
}

async function readAt(
  handle: Awaited<ReturnType<typeof open>>,
  position: number,
  length: number,
): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
