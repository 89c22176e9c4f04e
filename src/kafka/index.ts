// Kafka's public face: how to reach it, what an error means, whether it answers, its topics.
export { KAFKA_CLIENT } from './kafka-client-options.js';
export { KafkaClients } from './kafka-clients.js';
export { KafkaConnectivity, type KafkaState } from './kafka-connectivity.js';
export { KafkaFailure } from './kafka-failure.js';
export { KafkaModule } from './kafka.module.js';
export { KAFKA_SEND_OPTIONS, type KafkaSendOptions } from './kafka-send-options.js';
export { RECORD_BATCH_HEADER_BYTES, TopicAdmin, TopicPolicyError } from './topic-admin.js';
export { TopicLimits } from './topic-limits.js';
export { TOPIC_NAME, TOPIC_NAME_RULE } from './topic-name.js';
export {
  checkTopicName,
  kafkaSettings,
  type KafkaCompression,
  type KafkaSettings,
  type RetrySettings,
} from './kafka.settings.js';
export { compressedSize } from './kafka-compression.js';
