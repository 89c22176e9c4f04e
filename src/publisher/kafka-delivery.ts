import type { KafkaSettings } from '../kafka/index.js';
import type { PublisherSettings } from './publisher.settings.js';
import type { EventMetrics } from '../metrics/index.js';
import {
  Delivery,
  DeliveryCounts,
  DeliveryReceipt,
  missingTopicsProblem,
  type DeliverySender,
} from './delivery.js';
import type { EventEnvelope } from './event-envelope.js';
import { PublishQueue } from './publish-queue.js';

/**
 * `DELIVERY_MODE=kafka`: a request is answered 200 once Kafka acknowledged every permitted event
 * of it. The events of concurrent requests share batches (PublishQueue).
 */
export class KafkaDelivery extends Delivery {
  readonly mode = 'kafka';
  private readonly queue: PublishQueue;

  constructor(
    private readonly producer: DeliverySender,
    delivery: PublisherSettings,
    kafka: KafkaSettings,
    metrics: EventMetrics,
  ) {
    super();
    const { retry, requestTimeoutMs } = kafka;
    const queue = (this.queue = new PublishQueue(
      producer,
      delivery.batch,
      retry.deadlineMs + requestTimeoutMs,
    ));
    metrics.gauge({
      name: 'kafka_events_queue_depth',
      help: 'Events waiting in memory for a Kafka acknowledgement (kafka delivery mode).',
      collect() {
        this.set(queue.depth);
      },
    });
  }

  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    return this.queue.enqueue(envelopes);
  }

  receipt({ accepted, delivered, filtered, duplicates }: DeliveryCounts): DeliveryReceipt {
    return { status: 200, body: { accepted, published: delivered, filtered, duplicates } };
  }

  /** Kafka's own reachability is reported by the Kafka health check. */
  get problem(): string | undefined {
    return missingTopicsProblem(this.producer.missing);
  }
}
