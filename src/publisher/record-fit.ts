import { Inject, Injectable } from '@nestjs/common';
import {
  compressedSize,
  KAFKA_SEND_OPTIONS,
  type KafkaSendOptions,
  kafkaSettings,
  type KafkaSettings,
  RECORD_BATCH_HEADER_BYTES,
  TopicLimits,
} from '../kafka/index.js';
import type { EventEnvelope } from './event-envelope.js';

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
  problem(envelope: EventEnvelope): Promise<string | undefined> | undefined {
    const { topic } = envelope;
    const known = this.limits.known(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
    if (envelope.size + RECORD_BATCH_HEADER_BYTES <= known) return undefined;
    return this.compressedProblem(envelope, topic);
  }

  private async compressedProblem(
    envelope: EventEnvelope,
    topic: string,
  ): Promise<string | undefined> {
    const limit = await this.limits.of(topic);
    if (limit === undefined || envelope.size + RECORD_BATCH_HEADER_BYTES <= limit) return undefined;
    // Key, headers and framing counted as if they did not compress: never below the real size.
    const compressed = await compressedSize(this.sendOptions.compression, envelope.value);
    const bytes = RECORD_BATCH_HEADER_BYTES + envelope.size - envelope.value.length + compressed;
    if (bytes <= limit) return undefined;
    return (
      `is ${bytes} bytes as a Kafka record batch (${envelope.size} uncompressed, ` +
      `KAFKA_COMPRESSION=${this.kafka.compression}); topic ${topic} takes at most ${limit} (max.message.bytes)`
    );
  }
}
