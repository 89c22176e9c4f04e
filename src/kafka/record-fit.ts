import { Inject, Injectable } from '@nestjs/common';
import { compressedSize } from './kafka-compression.js';
import { KAFKA_SEND_OPTIONS, type KafkaSendOptions } from './kafka-send-options.js';
import { kafkaSettings, type KafkaSettings } from './kafka.settings.js';
import type { OutgoingRecord } from './outgoing-record.js';
import { largestRecordBatchBytes } from './record-batch-bytes.js';
import { TopicLimits } from './topic-limits.js';

/** Kafka's default message.max.bytes: while a topic's own is not known yet, smaller records go unchecked. */
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Whether a record fits the checks Kafka makes: its record batch, compressed with
 * KAFKA_COMPRESSION, against its topic's max.message.bytes, and its produce request against the
 * brokers' socket.request.max.bytes (TopicLimits). Only records whose batch could exceed the limit
 * at the codec's worst growth pay for a compression here; the rest are answered without waiting.
 */
@Injectable()
export class RecordFit {
  constructor(
    private readonly limits: TopicLimits,
    @Inject(KAFKA_SEND_OPTIONS) private readonly sendOptions: KafkaSendOptions,
    @Inject(kafkaSettings.token) private readonly kafka: KafkaSettings,
  ) {}

  /** Why the record cannot be written (undefined when it can, or Kafka cannot be asked). */
  problem(record: OutgoingRecord): Promise<string | undefined> | undefined {
    const { topic } = record;
    const known = this.limits.known(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
    if (largestRecordBatchBytes(this.kafka.compression, record.size) <= known) return undefined;
    return this.compressedProblem(record, topic);
  }

  private async compressedProblem(
    record: OutgoingRecord,
    topic: string,
  ): Promise<string | undefined> {
    const { compression } = this.kafka;
    const limit = await this.limits.of(topic);
    if (limit === undefined || largestRecordBatchBytes(compression, record.size) <= limit) {
      return undefined;
    }
    // The value compressed alone; the rest at the codec's worst, its framing counted once more.
    const compressed = await compressedSize(this.sendOptions.compression, record.value);
    const rest = largestRecordBatchBytes(compression, record.size - record.value.length);
    const bytes = compressed + rest;
    if (bytes <= limit) return undefined;
    return (
      `is ${bytes} bytes as a Kafka record batch (${record.size} uncompressed, ` +
      `KAFKA_COMPRESSION=${compression}); Kafka takes at most ${limit} for topic ${topic} ` +
      `(its max.message.bytes, and the brokers' socket.request.max.bytes less a produce request's own bytes)`
    );
  }
}
