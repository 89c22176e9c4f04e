import { Injectable } from '@nestjs/common';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient } from 'kafkajs';
import { AppConfig } from '../config/app-config.js';
import { kafkaConnection } from './kafka-connection.js';

const { Kafka, logLevel } = kafkajs;

/**
 * Makes the kafkajs clients of the service other than the producer (which Nest's ClientKafka
 * builds from kafkaClientOptions): the rule store's, the topic admin's and the connectivity
 * check's. Each has its own client id suffix, so a broker's logs tell them apart.
 */
@Injectable()
export class KafkaClients {
  constructor(private readonly config: AppConfig) {}

  /** `retries`: kafkajs' own retries per request; callers that loop themselves pass 0. */
  create(purpose: 'rules' | 'admin' | 'health', retries: number): KafkaClient {
    return new Kafka({
      ...kafkaConnection(this.config.kafka, `-${purpose}`),
      retry: { retries },
      logLevel: logLevel.NOTHING,
    });
  }
}
