import { open } from 'node:fs/promises';
import { EventEnvelope } from '../event-envelope.js';
import { decodeRecord, isRecordVersion, RECORD_HEADER_BYTES } from './spool-record.js';

export interface ReadBatch {
  envelopes: EventEnvelope[];
  /** Where the next read starts: after damage, the next record that checks out (or the end). */
  next: number;
  /** Set when bytes were skipped: what was wrong, and which bytes. */
  damage?: string;
}

const READ_AHEAD_BYTES = 1024 * 1024;

/**
 * Reads whole records of one segment file between `from` and `end`, at most `maxEvents` of them
 * and about `maxBytes`. A record that does not check out ends the batch with `damage` set, and
 * `next` at the next record that does: one damaged record costs only itself.
 */
export async function readSegment(
  path: string,
  from: number,
  end: number,
  maxEvents: number,
  maxBytes: number,
  /** Where records written without a topic go: KAFKA_TOPIC. */
  defaultTopic: string,
): Promise<ReadBatch> {
  const handle = await open(path, 'r');
  const skip = async (envelopes: EventEnvelope[], at: number, reason: string) => {
    const next = await nextRecord(handle, at + 1, end);
    return { envelopes, next, damage: `${reason}; bytes ${at} to ${next} skipped` };
  };
  try {
    const envelopes: EventEnvelope[] = [];
    let position = from;
    let read = 0;
    while (position < end && envelopes.length < maxEvents && read < maxBytes) {
      let want = Math.min(end - position, Math.max(READ_AHEAD_BYTES, maxBytes - read));
      let chunk = await readAt(handle, position, want);
      if (chunk.length === 0) {
        return { envelopes, next: end, damage: `the file ends at byte ${position}, before ${end}` };
      }
      let at = 0;
      while (at < chunk.length && envelopes.length < maxEvents && read < maxBytes) {
        const result = decodeRecord(chunk.subarray(at), defaultTopic);
        if (result.kind === 'corrupt') return await skip(envelopes, position + at, result.reason);
        if (result.kind === 'incomplete') {
          if (position + at + result.bytes > end) {
            return await skip(
              envelopes,
              position + at,
              'a record runs past the end of the segment (a torn write, or a damaged length)',
            );
          }
          if (at > 0) break;
          // One record larger than the chunk: read exactly it.
          want = result.bytes;
          chunk = await readAt(handle, position, want);
          if (chunk.length < want) {
            return await skip(envelopes, position, 'the segment is shorter than its records say');
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

/**
 * The first offset from `from` on where a whole record checks out (plausible length, version,
 * checksum), or `end`. Reads the file in windows; only plausible headers cost a checksum.
 */
async function nextRecord(
  handle: Awaited<ReturnType<typeof open>>,
  from: number,
  end: number,
): Promise<number> {
  for (let start = from; start < end; start += READ_AHEAD_BYTES) {
    const window = await readAt(handle, start, Math.min(end - start, READ_AHEAD_BYTES + 9));
    const last = Math.min(window.length - 9, READ_AHEAD_BYTES - 1);
    for (let at = 0; at <= last; at++) {
      const length = window.readUInt32LE(at);
      if (length < 8 || start + at + RECORD_HEADER_BYTES + length > end) continue;
      if (!isRecordVersion(window[at + RECORD_HEADER_BYTES])) continue;
      const bytes = RECORD_HEADER_BYTES + length;
      const record =
        at + bytes <= window.length
          ? window.subarray(at, at + bytes)
          : await readAt(handle, start + at, bytes);
      if (decodeRecord(record, '').kind === 'record') return start + at;
    }
  }
  return end;
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
