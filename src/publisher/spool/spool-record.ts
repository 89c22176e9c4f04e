import { crc32 } from 'node:zlib';
import { EventEnvelope } from '../event-envelope.js';

/**
 * One envelope on disk: `[u32 payload length][u32 CRC-32 of payload][payload]`, the payload being
 * `[u8 version 3][u16 topic length, 0xffff for KAFKA_TOPIC][topic][u16 key length, 0xffff for
 * none][key][u16 id length][id][u16 name length][name][u32 headers length, 0 for none][headers
 * beyond the three every record has, a JSON object][value]`. Older versions are still read: 2
 * has no headers field, 1 no topic either. The checksum lets a reader tell a record
 * from what a crash left half-written.
 */
export const RECORD_HEADER_BYTES = 8;
const RECORD_VERSION = 3;
const ROUTED_VERSION = 2;
const UNROUTED_VERSION = 1;
const NONE = 0xffff;
/** No record is larger than this: a longer length field means the framing itself is damaged. */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

/** Whether a payload's first byte is a version this reader knows (resyncing after damage). */
export function isRecordVersion(byte: number | undefined): boolean {
  return byte === RECORD_VERSION || byte === ROUTED_VERSION || byte === UNROUTED_VERSION;
}

/** The bytes `envelope` takes in the spool, as `encodeRecord` writes it. */
export function encodedRecordBytes(envelope: EventEnvelope): number {
  return RECORD_HEADER_BYTES + payloadOf(envelope).payloadLength;
}

function payloadOf(envelope: EventEnvelope) {
  const topic = Buffer.from(envelope.topic, 'utf8');
  const key = envelope.key === null ? null : Buffer.from(envelope.key, 'utf8');
  const id = Buffer.from(envelope.id, 'utf8');
  const name = Buffer.from(envelope.name, 'utf8');
  const extra = envelope.extraHeaders;
  // Most records have none: no JSON to write, nor to parse when they are read back.
  const headers =
    Object.keys(extra).length > 0 ? Buffer.from(JSON.stringify(extra), 'utf8') : NO_BYTES;
  const payloadLength =
    1 +
    2 +
    topic.length +
    2 +
    (key?.length ?? 0) +
    2 +
    id.length +
    2 +
    name.length +
    4 +
    headers.length +
    envelope.value.length;
  return { topic, key, id, name, headers, payloadLength };
}

export function encodeRecord(envelope: EventEnvelope): Buffer {
  const { topic, key, id, name, headers, payloadLength } = payloadOf(envelope);
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadLength);
  let at = RECORD_HEADER_BYTES;
  at = record.writeUInt8(RECORD_VERSION, at);
  at = record.writeUInt16LE(topic.length, at);
  at += topic.copy(record, at);
  at = record.writeUInt16LE(key?.length ?? NONE, at);
  if (key) at += key.copy(record, at);
  at = record.writeUInt16LE(id.length, at);
  at += id.copy(record, at);
  at = record.writeUInt16LE(name.length, at);
  at += name.copy(record, at);
  at = record.writeUInt32LE(headers.length, at);
  at += headers.copy(record, at);
  envelope.value.copy(record, at);
  record.writeUInt32LE(payloadLength, 0);
  record.writeUInt32LE(crc32(record.subarray(RECORD_HEADER_BYTES)), 4);
  return record;
}

export type DecodeResult =
  | { kind: 'record'; envelope: EventEnvelope; bytes: number }
  /** The buffer ends inside the record: read more (or, at the end of a file, a torn tail). */
  | { kind: 'incomplete'; bytes: number }
  | { kind: 'corrupt'; reason: string };

/**
 * Decodes the record at the start of `buffer`. Records written without a topic (version 1, or
 * none given) go to `defaultTopic`, KAFKA_TOPIC as it is now.
 */
export function decodeRecord(buffer: Buffer, defaultTopic: string): DecodeResult {
  if (buffer.length < RECORD_HEADER_BYTES)
    return { kind: 'incomplete', bytes: RECORD_HEADER_BYTES };
  const payloadLength = buffer.readUInt32LE(0);
  if (payloadLength < 8 || payloadLength > MAX_RECORD_BYTES) {
    return { kind: 'corrupt', reason: `impossible record length ${payloadLength}` };
  }
  const bytes = RECORD_HEADER_BYTES + payloadLength;
  if (buffer.length < bytes) return { kind: 'incomplete', bytes };
  const payload = buffer.subarray(RECORD_HEADER_BYTES, bytes);
  if (crc32(payload) !== buffer.readUInt32LE(4))
    return { kind: 'corrupt', reason: 'checksum mismatch' };
  try {
    return { kind: 'record', envelope: parsePayload(payload, defaultTopic), bytes };
  } catch (error) {
    return { kind: 'corrupt', reason: `unreadable payload: ${(error as Error).message}` };
  }
}

function parsePayload(payload: Buffer, defaultTopic: string): EventEnvelope {
  let at = 0;
  const u16 = (): number => {
    const value = payload.readUInt16LE(at);
    at += 2;
    return value;
  };
  const text = (length: number): string => {
    if (at + length > payload.length) throw new Error('field runs past the record');
    const value = payload.toString('utf8', at, at + length);
    at += length;
    return value;
  };
  const optional = (): string | null => {
    const length = u16();
    return length === NONE ? null : text(length);
  };
  const version = payload.readUInt8(at++);
  if (!isRecordVersion(version)) {
    throw new Error(`unknown record version ${version}`);
  }
  const topic = (version === UNROUTED_VERSION ? null : optional()) ?? defaultTopic;
  const key = optional();
  const id = text(u16());
  const name = text(u16());
  let headers: Record<string, string> | undefined;
  if (version === RECORD_VERSION) {
    const length = payload.readUInt32LE(at);
    at += 4;
    if (length > 0) headers = headersOf(text(length));
  }
  return EventEnvelope.restore(id, name, key, Buffer.from(payload.subarray(at)), topic, headers);
}

const NO_BYTES = Buffer.alloc(0);

function headersOf(json: string): Record<string, string> {
  const headers = JSON.parse(json) as unknown;
  if (
    typeof headers !== 'object' ||
    headers === null ||
    Array.isArray(headers) ||
    Object.values(headers).some((value) => typeof value !== 'string')
  ) {
    throw new Error('headers are not an object of strings');
  }
  return headers as Record<string, string>;
}
