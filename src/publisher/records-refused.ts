import { KafkaFailure } from '../kafka/index.js';
import type { EventEnvelope } from './event-envelope.js';

/** Why Kafka will not take one record, and the dead letter topic that took it instead, if any. */
export interface Refusal {
  failure: KafkaFailure;
  deadLetterTopic?: string;
}

/**
 * Some records of a batch were refused for good; every other record of it was acknowledged. So
 * each sender hears only of its own records, and nothing acknowledged is sent again.
 */
export class RecordsRefused extends Error {
  constructor(readonly refusals: ReadonlyMap<EventEnvelope, Refusal>) {
    super(`Kafka refused ${refusals.size} record(s) for good`);
    this.name = 'RecordsRefused';
  }

  /** What the sender of `envelope` is told: Kafka's reason, and where the record went instead. */
  static failureFor({ failure, deadLetterTopic }: Refusal): KafkaFailure {
    return deadLetterTopic === undefined
      ? failure
      : KafkaFailure.refused(`${failure.reason} (the record was sent to ${deadLetterTopic})`);
  }
}
