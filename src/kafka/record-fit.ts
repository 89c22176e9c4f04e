import { Inject, Injectable } from '@nestjs/common';
import { compressedSize } from './kafka-compression.js';
import { KAFKA_SEND_OPTIONS, type KafkaSendOptions } from './kafka-send-options.js';
import { kafkaSettings, type KafkaSettings } from './kafka.settings.js';
import type { OutgoingRecord } from './outgoing-record.js';
import { RECORD_BATCH_HEADER_BYTES } from './topic-admin.js';
import { TopicLimits } from './topic-limits.js';

/** Kafka's default message.max.bytes: while a topic's own is not known yet, smaller records go unchecked. */
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Whether a record fits the check Kafka makes: its record batch, compressed with
 * KAFKA_COMPRESSION, against its topic's max.message.bytes. Only records larger than the limit
 * uncompressed pay for a compression here; the rest are answered without waiting.
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
    if (record.size + RECORD_BATCH_HEADER_BYTES <= known) return undefined;
    return this.compressedProblem(record, topic);
  }

  private async compressedProblem(
    record: OutgoingRecord,
    topic: string,
  ): Promise<string | undefined> {
    const limit = await this.limits.of(topic);
    if (limit === undefined || record.size + RECORD_BATCH_HEADER_BYTES <= limit) return undefined;
    // Key, headers and framing counted as if they did not compress: never below the real size.
    const compressed = await compressedSize(this.sendOptions.compression, record.value);
    const bytes = RECORD_BATCH_HEADER_BYTES + record.size - record.value.length + compressed;
    if (bytes <= limit) return undefined;
    return (
      `is ${bytes} bytes as a Kafka record batch (${record.size} uncompressed, ` +
      `KAFKA_COMPRESSION=${this.kafka.compression}); topic ${topic} takes at most ${limit} (max.message.bytes)`
    );
  }
}
