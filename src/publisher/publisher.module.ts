import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { AppConfig } from '../config/app-config.js';
import { kafkaClientOptions } from './kafka-client-options.js';
import { KAFKA_CLIENT, KafkaProducer } from './kafka-producer.js';
import { PublishQueue } from './publish-queue.js';
import { PublisherService } from './publisher.service.js';
import { RetryPolicy } from './retry-policy.js';
import { Spool } from './spool/spool.js';
import { SpoolForwarder } from './spool/spool-forwarder.js';

@Module({
  imports: [
    ClientsModule.registerAsync([
      { name: KAFKA_CLIENT, inject: [AppConfig], useFactory: kafkaClientOptions },
    ]),
  ],
  providers: [
    KafkaProducer,
    PublishQueue,
    Spool,
    SpoolForwarder,
    PublisherService,
    {
      provide: RetryPolicy,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new RetryPolicy(config.kafka.retry),
    },
  ],
  exports: [PublisherService],
})
export class PublisherModule {}
