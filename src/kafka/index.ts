// Kafka's public face: the reliable producer and what it sends, how to reach Kafka, what an
// error means, whether Kafka answers, its topics.
export { BackpressureError } from './backpressure-error.js';
export { KafkaClients } from './kafka-clients.js';
export { KafkaConnectivity, type KafkaState } from './kafka-connectivity.js';
export { KafkaFailure } from './kafka-failure.js';
export { KafkaModule } from './kafka.module.js';
export { KafkaProducer } from './kafka-producer.js';
export {
  type BatchSettings,
  checkTopicName,
  kafkaSettings,
  type KafkaSettings,
  type RetrySettings,
} from './kafka.settings.js';
export { type KafkaMessage, type OutgoingRecord } from './outgoing-record.js';
export { QueueFullError, type SendOptions } from './produce-queue.js';
export { RecordFit } from './record-fit.js';
export { refusalFailure, type Refusal } from './records-refused.js';
export { backoffDelay, RetryPolicy } from './retry-policy.js';
export { TopicAdmin, TopicPolicyError } from './topic-admin.js';
export { TopicLimits } from './topic-limits.js';
export { TOPIC_NAME, TOPIC_NAME_RULE } from './topic-name.js';
export { useCompression } from './kafka-compression.js';
