import { OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { PublisherSettings } from '../publisher.settings.js';
import type { EventMetrics } from '../../metrics/index.js';
import {
  Delivery,
  DeliveryCounts,
  DeliveryReceipt,
  missingTopicsProblem,
  type DeliverySender,
} from '../delivery.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { KafkaSettings, RetryPolicy } from '../../kafka/index.js';
import { Spool } from './spool.js';
import { SpoolForwarder } from './spool-forwarder.js';

/**
 * `DELIVERY_MODE=spool`: a request is answered 202 once its permitted events are fsynced to the
 * local spool; the SpoolForwarder takes them on to Kafka, across Kafka outages and restarts.
 */
export class SpoolDelivery
  extends Delivery
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  readonly mode = 'spool';
  private readonly spool: Spool;
  private readonly forwarder: SpoolForwarder;

  constructor(
    private readonly producer: DeliverySender,
    delivery: PublisherSettings,
    kafka: KafkaSettings,
    retry: RetryPolicy,
    metrics: EventMetrics,
  ) {
    super();
    const spool = (this.spool = new Spool(delivery, kafka));
    const forwarder = (this.forwarder = new SpoolForwarder(
      spool,
      producer,
      retry,
      metrics,
      delivery.spoolForwardLingerMs,
    ));
    metrics.gauge({
      name: 'kafka_events_spool_bytes',
      help: 'Bytes in local spool segments not yet forwarded and deleted (spool delivery mode).',
      collect() {
        this.set(spool.bytes);
      },
    });
    metrics.gauge({
      name: 'kafka_events_spool_forwarder_up',
      help: '0 from a failure of the spool forwarder until it forwards again (spool mode), else 1.',
      collect() {
        this.set(forwarder.state.status === 'restarting' ? 0 : 1);
      },
    });
  }

  /** Before the HTTP server listens: a spool that cannot be opened stops the start. */
  onModuleInit(): Promise<void> {
    return this.spool.open();
  }

  onApplicationBootstrap(): void {
    this.forwarder.start();
  }

  /** After the HTTP server closed: the forwarder stops first, then the last appends are closed. */
  async onApplicationShutdown(): Promise<void> {
    await this.forwarder.stop();
    await this.spool.close();
  }

  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    return this.spool.append(envelopes);
  }

  receipt({ accepted, delivered, filtered, duplicates }: DeliveryCounts): DeliveryReceipt {
    return { status: 202, body: { accepted, spooled: delivered, filtered, duplicates } };
  }

  /** A spool whose forwarder is down keeps answering 202 while nothing leaves. */
  get problem(): string | undefined {
    const state = this.forwarder.state;
    return state.status === 'restarting'
      ? `the spool forwarder failed and restarts: ${state.reason}`
      : missingTopicsProblem(this.producer.missing);
  }
}
