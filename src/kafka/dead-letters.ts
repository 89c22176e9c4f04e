import { Logger } from '@nestjs/common';
import type { EventMetrics } from '../metrics/index.js';
import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { ProduceRequest } from './produce-request.js';
import type { Refusal } from './records-refused.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * A refused record's dead letter to KAFKA_DLQ_TOPIC, sent alone, tried until the deadline of its
 * batch's first attempt; a letter that topic refuses goes again without its value.
 */
export class DeadLetters {
  private readonly logger = new Logger('KafkaProducer');

  constructor(
    private readonly produce: ProduceRequest,
    private readonly dlqTopic: string,
    private readonly retry: RetryPolicy,
    private readonly metrics: EventMetrics,
  ) {}

  /** Sends `record`'s letter; once Kafka took it, `refusal` names the dead letter topic. */
  async send(record: OutgoingRecord, refusal: Refusal, startedAt: number): Promise<void> {
    const { dlqTopic } = this;
    const { reason } = refusal.failure;
    let sent = await this.sendLetter(record.deadLetter(dlqTopic, reason), startedAt);
    if (sent === 'refused') {
      sent = await this.sendLetter(record.deadLetterWithoutValue(dlqTopic, reason), startedAt);
    }
    if (sent !== 'sent') return;
    refusal.deadLetterTopic = dlqTopic;
    this.metrics.deadLetters.inc();
    this.logger.warn(
      `event ${record.id} (${record.name}) refused by Kafka (${reason}); sent to ${dlqTopic}`,
    );
  }

  /** Whether Kafka took the letter, refused it for good, or did not take it in time. */
  private async sendLetter(
    letter: OutgoingRecord,
    startedAt: number,
  ): Promise<'sent' | 'refused' | 'unavailable'> {
    try {
      await this.retry.run(
        () => this.produce([letter]),
        KafkaFailure.isTransient,
        undefined,
        startedAt,
      );
      return 'sent';
    } catch (error) {
      const failure = KafkaFailure.from(error);
      this.logger.error(
        `event ${letter.id} (${letter.name}) could not be sent to ${letter.topic}: ${failure.reason}`,
      );
      return failure.kind === 'rejected' ? 'refused' : 'unavailable';
    }
  }
}
