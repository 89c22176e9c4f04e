import { refusalFailure } from '../kafka/index.js';
import type { EventMetrics } from '../metrics/index.js';
import {
  Delivery,
  DeliveryCounts,
  DeliveryReceipt,
  missingTopicsProblem,
  type DeliverySender,
} from './delivery.js';
import type { EventEnvelope } from './event-envelope.js';

/**
 * `DELIVERY_MODE=kafka`: a request is answered 200 once Kafka acknowledged every permitted event
 * of it. The events of concurrent requests share the producer's batches.
 */
export class KafkaDelivery extends Delivery {
  readonly mode = 'kafka';

  constructor(
    private readonly producer: DeliverySender,
    metrics: EventMetrics,
    /** PUBLISH_MAX_QUEUED_BYTES */
    private readonly maxQueuedBytes: number,
  ) {
    super();
    metrics.gauge({
      name: 'kafka_events_queue_depth',
      help: 'Events waiting in memory for a Kafka acknowledgement (kafka delivery mode).',
      collect() {
        this.set(producer.depth);
      },
    });
  }

  /** Only the sender of a refused record hears of it: the records beside it were acknowledged. */
  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    const refusals = await this.producer.send(envelopes, { bounded: true });
    const [refusal] = refusals.values();
    if (refusal) throw refusalFailure(refusal);
  }

  /** More than the publish queue holds at once would get 503 even with the queue empty. */
  tooLarge(envelopes: readonly EventEnvelope[]): string | undefined {
    const bytes = envelopes.reduce((sum, envelope) => sum + envelope.size, 0);
    return bytes > this.maxQueuedBytes
      ? `its ${envelopes.length} events are ${bytes} bytes as Kafka records, more than PUBLISH_MAX_QUEUED_BYTES (${this.maxQueuedBytes}) lets wait for Kafka at once`
      : undefined;
  }

  receipt({ accepted, delivered, filtered, duplicates }: DeliveryCounts): DeliveryReceipt {
    return { status: 200, body: { accepted, published: delivered, filtered, duplicates } };
  }

  /** Kafka's own reachability is reported by the Kafka health check. */
  get problem(): string | undefined {
    return missingTopicsProblem(this.producer.missing);
  }
}
