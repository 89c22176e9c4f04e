import type { KafkaOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import kafkajs from 'kafkajs';
import type { LoggingSettings } from '../logging/index.js';
import { CachedPartitioner } from './cached-partitioner.js';
import { kafkaConnection } from './kafka-connection.js';
import type { KafkaSettings } from './kafka.settings.js';

const { logLevel } = kafkajs;

/** The injection token of Nest's Kafka client, the service's one producer. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/**
 * Options for Nest's Kafka client transport, producer only. kafkajs is told to try each request
 * about once: RetryPolicy owns retrying, so the time a webhook caller waits stays bounded. The
 * per-send options (acks, codec, timeout) are KafkaSendOptions: the producer is sent to directly.
 */
export function kafkaClientOptions(kafka: KafkaSettings, logging: LoggingSettings): KafkaOptions {
  const verbose = logging.level === 'debug' || logging.level === 'verbose';
  return {
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      producerOnlyMode: true,
      client: {
        ...kafkaConnection(kafka),
        retry: { retries: 0 },
        // Each failed attempt is logged once by KafkaProducer; kafkajs' own lines only when asked.
        logLevel: verbose ? logLevel.INFO : logLevel.NOTHING,
      },
      producer: {
        idempotent: kafka.idempotent,
        // kafkajs refuses an idempotent producer without a retry of its own. Kept quick: that retry
        // resends the same sequence numbers, so the broker recognises a batch it already wrote
        // (an answer lost on the way) instead of writing it twice, and the lane waits for it.
        retry: { retries: kafka.idempotent ? 1 : 0, initialRetryTime: 25 },
        maxInFlightRequests: kafka.idempotent ? 1 : undefined,
        allowAutoTopicCreation: false,
        createPartitioner: CachedPartitioner,
      },
    },
  };
}
