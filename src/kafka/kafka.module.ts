import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { loggingSettings } from '../logging/index.js';
import { KAFKA_CLIENT, kafkaClientOptions } from './kafka-client-options.js';
import { KafkaClients } from './kafka-clients.js';
import { KafkaConnectivity } from './kafka-connectivity.js';
import { KafkaProducer } from './kafka-producer.js';
import { RecordFit } from './record-fit.js';
import { kafkaSettings } from './kafka.settings.js';
import { keepPartitionAnswers } from './partition-answers.js';
import { stopIdleRequestQueueChecks } from './request-queue-checks.js';
import { KAFKA_SEND_OPTIONS, kafkaSendOptions } from './kafka-send-options.js';
import { TopicAdmin } from './topic-admin.js';
import { TopicLimits } from './topic-limits.js';

/**
 * Everything that talks to Kafka starts here: Nest's ClientKafka for the producer (KAFKA_CLIENT)
 * and what each send carries (KAFKA_SEND_OPTIONS), the other kafkajs clients (KafkaClients),
 * topic creation (TopicAdmin) and the connectivity check.
 */
@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: KAFKA_CLIENT,
        inject: [kafkaSettings.token, loggingSettings.token],
        useFactory: kafkaClientOptions,
      },
    ]),
  ],
  providers: [
    KafkaClients,
    KafkaConnectivity,
    KafkaProducer,
    RecordFit,
    TopicAdmin,
    TopicLimits,
    { provide: KAFKA_SEND_OPTIONS, inject: [kafkaSettings.token], useFactory: kafkaSendOptions },
  ],
  exports: [
    ClientsModule,
    KafkaClients,
    KafkaConnectivity,
    KafkaProducer,
    RecordFit,
    TopicAdmin,
    TopicLimits,
    KAFKA_SEND_OPTIONS,
  ],
})
export class KafkaModule {
  constructor() {
    // Before any client connects (see request-queue-checks.ts, partition-answers.ts).
    stopIdleRequestQueueChecks();
    keepPartitionAnswers();
  }
}
