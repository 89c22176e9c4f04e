import { Inject, Injectable } from '@nestjs/common';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient } from 'kafkajs';
import { kafkaConnection } from './kafka-connection.js';
import { kafkaSettings, type KafkaSettings } from './kafka.settings.js';

const { Kafka, logLevel } = kafkajs;

/**
 * Makes the kafkajs clients of the service other than the producer (which Nest's ClientKafka
 * builds from kafkaClientOptions): the rule store's, the topic admin's and the connectivity
 * check's. Each has its own client id suffix, so a broker's logs tell them apart.
 */
@Injectable()
export class KafkaClients {
  constructor(@Inject(kafkaSettings.token) private readonly kafka: KafkaSettings) {}

  /** `retries`: kafkajs' own retries per request; callers that loop themselves pass 0. */
  create(purpose: 'rules' | 'admin' | 'health', retries: number): KafkaClient {
    return new Kafka({
      ...kafkaConnection(this.kafka, `-${purpose}`),
      retry: { retries },
      logLevel: logLevel.NOTHING,
    });
  }
}
