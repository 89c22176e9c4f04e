import { Module } from '@nestjs/common';
import {
  KafkaConnectivity,
  KafkaModule,
  KafkaProducer,
  kafkaSettings,
  type KafkaSettings,
  RecordFit,
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
      inject: [
        publisherSettings.token,
        kafkaSettings.token,
        KafkaProducer,
        EventMetrics,
        RecordFit,
        KafkaConnectivity,
      ],
      useFactory: (
        delivery: PublisherSettings,
        kafka: KafkaSettings,
        producer: KafkaProducer,
        metrics: EventMetrics,
        fit: RecordFit,
        connectivity: KafkaConnectivity,
      ): Delivery =>
        delivery.mode === 'spool'
          ? new SpoolDelivery(
              producer,
              delivery,
              kafka,
              new RetryPolicy(kafka.retry),
              metrics,
              fit,
              {
                afterMs: delivery.spoolForwardStuckMs,
                kafkaAnswers: () => connectivity.state.status === 'up',
              },
            )
          : new KafkaDelivery(producer, metrics, kafka.batch.maxQueuedBytes),
    },
  ],
  exports: [Delivery],
})
export class PublisherModule {}
