import { Logger } from '@nestjs/common';
import type { BatchDelivery, BatchOutcome } from './batching-queue.js';
import type { DeadLetters } from './dead-letters.js';
import type { DeadlineRetries } from './deadline-retries.js';
import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';
import type { QueuedRecord } from './sender-ticket.js';

/** What isolation asks of the producer about topics and refusals. */
export interface RefusalHooks {
  /** Why records of `topic` are refused without asking Kafka (it is missing); else undefined. */
  refusedTopic(topic: string): string | undefined;
  /** Kafka refused `record`, alone, for good. */
  refused(record: OutgoingRecord, failure: KafkaFailure): void;
}

/**
 * The isolation stage: a batch's records Kafka refuses for good are set apart, each alone, and
 * sent to the dead letter topic (when there is one), so that only their senders hear of them.
 */
export class RefusalIsolation implements BatchDelivery {
  private readonly logger = new Logger('KafkaProducer');

  constructor(
    private readonly retries: Pick<DeadlineRetries, 'send'>,
    private readonly hooks: RefusalHooks,
    /** Undefined without KAFKA_DLQ_TOPIC. */
    private readonly deadLetters: Pick<DeadLetters, 'send'> | undefined,
  ) {}

  async deliver(batch: QueuedRecord[]): Promise<BatchOutcome> {
    const startedAt = Date.now();
    const refusals = new Map<QueuedRecord, Refusal>();
    const failures = new Map<QueuedRecord, unknown>();
    await this.isolate(batch, refusals, failures);
    if (this.deadLetters) {
      for (const [entry, refusal] of refusals) {
        await this.deadLetters.send(entry.record, refusal, startedAt);
      }
    }
    return { refusals, failures };
  }

  /**
   * Kafka's error for a refused request names no record, and a refused partition may hold many:
   * what it did not write is halved, in order, until each record it refuses stands alone. Each
   * half is sent only once the one before it is settled, so a key's records keep their order.
   * Records of a topic known to be missing are refused up front.
   */
  private async isolate(
    entries: QueuedRecord[],
    refusals: Map<QueuedRecord, Refusal>,
    failures: Map<QueuedRecord, unknown>,
  ): Promise<void> {
    const sendable: QueuedRecord[] = [];
    for (const entry of entries) {
      const missing = this.hooks.refusedTopic(entry.record.topic);
      if (missing === undefined) sendable.push(entry);
      else refusals.set(entry, { failure: KafkaFailure.refused(missing) });
    }
    const refusal = await this.retries.send(sendable, failures);
    if (refusal === undefined) return;
    const { failure: refused, unwritten: left } = refusal;
    if (left.length === 1) {
      const [{ record }] = left;
      refusals.set(left[0], { failure: refused });
      this.hooks.refused(record, refused);
      this.logger.warn(`event ${record.id} (${record.name}) refused by Kafka: ${refused.reason}`);
      return;
    }
    const half = Math.ceil(left.length / 2);
    await this.isolate(left.slice(0, half), refusals, failures);
    await this.isolate(left.slice(half), refusals, failures);
  }
}
