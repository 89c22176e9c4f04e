import { KafkaFailure } from './kafka-failure.js';

/** Why Kafka will not take one record, and the dead letter topic that took it instead, if any. */
export interface Refusal {
  failure: KafkaFailure;
  deadLetterTopic?: string;
}

/** What the sender of a refused record is told: Kafka's reason, and where the record went instead. */
export function refusalFailure({ failure, deadLetterTopic }: Refusal): KafkaFailure {
  return deadLetterTopic === undefined
    ? failure
    : KafkaFailure.refused(`${failure.reason} (the record was sent to ${deadLetterTopic})`);
}
