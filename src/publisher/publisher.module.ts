import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EventMetrics } from '../metrics/index.js';
import { Delivery } from './delivery.js';
import { KafkaDelivery } from './kafka-delivery.js';
import { KafkaModule } from '../kafka/index.js';
import { KafkaProducer } from './kafka-producer.js';
import { RecordFit } from './record-fit.js';
import { RetryPolicy } from './retry-policy.js';
import { SpoolDelivery } from './spool/spool-delivery.js';

@Module({
  imports: [KafkaModule],
  providers: [
    KafkaProducer,
    RecordFit,
    {
      provide: RetryPolicy,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new RetryPolicy(config.kafka.retry),
    },
    {
      // Only the chosen mode is built: its hooks (the spool's files, its forwarder) run alone.
      provide: Delivery,
      inject: [AppConfig, KafkaProducer, RetryPolicy, EventMetrics],
      useFactory: (
        config: AppConfig,
        producer: KafkaProducer,
        retry: RetryPolicy,
        metrics: EventMetrics,
      ): Delivery =>
        config.delivery.mode === 'spool'
          ? new SpoolDelivery(producer, config, retry, metrics)
          : new KafkaDelivery(producer, config, metrics),
    },
  ],
  exports: [Delivery, RecordFit],
})
export class PublisherModule {}
