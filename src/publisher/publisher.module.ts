import { Module } from '@nestjs/common';
import { EventMetrics } from '../metrics/index.js';
import { Delivery } from './delivery.js';
import { KafkaDelivery } from './kafka-delivery.js';
import { KafkaModule, kafkaSettings, type KafkaSettings } from '../kafka/index.js';
import { KafkaProducer } from './kafka-producer.js';
import { publisherSettings, type PublisherSettings } from './publisher.settings.js';
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
      inject: [kafkaSettings.token],
      useFactory: (kafka: KafkaSettings) => new RetryPolicy(kafka.retry),
    },
    {
      // Only the chosen mode is built: its hooks (the spool's files, its forwarder) run alone.
      provide: Delivery,
      inject: [
        publisherSettings.token,
        kafkaSettings.token,
        KafkaProducer,
        RetryPolicy,
        EventMetrics,
      ],
      useFactory: (
        delivery: PublisherSettings,
        kafka: KafkaSettings,
        producer: KafkaProducer,
        retry: RetryPolicy,
        metrics: EventMetrics,
      ): Delivery =>
        delivery.mode === 'spool'
          ? new SpoolDelivery(producer, delivery, kafka.topic, retry, metrics)
          : new KafkaDelivery(producer, delivery, kafka, metrics),
    },
  ],
  exports: [Delivery, RecordFit],
})
export class PublisherModule {}
