import { RECORD_BATCH_HEADER_BYTES } from './record-batch-bytes.js';

/** What kafkajs sends for one record. */
export interface KafkaMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * What the producer needs of a record: where it goes, its size as Kafka counts it, and its dead
 * letter. The publisher's EventEnvelope is one; the producer never looks inside the value.
 */
export interface OutgoingRecord {
  readonly id: string;
  readonly name: string;
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer;
  /** Bytes in a record batch, uncompressed, as Kafka counts them (never below the real figure). */
  readonly size: number;
  /** A fresh message each time: nothing one send does to it can leak into a retry. */
  toMessage(): KafkaMessage;
  /** The same record bound for the dead letter topic, with the reason Kafka refused it. */
  deadLetter(dlqTopic: string, reason: string): OutgoingRecord;
  /** The dead letter of a record too large even for the dead letter topic: its size, no value. */
  deadLetterWithoutValue(dlqTopic: string, reason: string): OutgoingRecord;
}

/**
 * The record bytes (`OutgoingRecord.size` summed) a batch may hold so that, with its header, it
 * stays within `maxBytes`, the limit Kafka applies to a batch as written.
 */
export function recordBytesWithin(maxBytes: number): number {
  return maxBytes - RECORD_BATCH_HEADER_BYTES;
}
