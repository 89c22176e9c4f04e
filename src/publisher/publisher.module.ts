import { Module } from '@nestjs/common';
import {
  KafkaModule,
  KafkaProducer,
  kafkaSettings,
  type KafkaSettings,
  RetryPolicy,
} from '../kafka/index.js';
import { EventMetrics } from '../metrics/index.js';
import { Delivery } from './delivery.js';
import { KafkaDelivery } from './kafka-delivery.js';
import { publisherSettings, type PublisherSettings } from './publisher.settings.js';
import { SpoolDelivery } from './spool/spool-delivery.js';

@Module({
  imports: [KafkaModule],
  providers: [
    {
      // Only the chosen mode is built: its hooks (the spool's files, its forwarder) run alone.
      provide: Delivery,
      inject: [publisherSettings.token, kafkaSettings.token, KafkaProducer, EventMetrics],
      useFactory: (
        delivery: PublisherSettings,
        kafka: KafkaSettings,
        producer: KafkaProducer,
        metrics: EventMetrics,
      ): Delivery =>
        delivery.mode === 'spool'
          ? new SpoolDelivery(producer, delivery, kafka, new RetryPolicy(kafka.retry), metrics)
          : new KafkaDelivery(producer, metrics),
    },
  ],
  exports: [Delivery],
})
export class PublisherModule {}
