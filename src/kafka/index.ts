// Shared Kafka knowledge (how to connect, what an error means, whether Kafka answers).
export { kafkaConnection } from './kafka-connection.js';
export { KafkaConnectivity, type KafkaState } from './kafka-connectivity.js';
export { KafkaFailure } from './kafka-failure.js';
export { KafkaModule } from './kafka.module.js';
