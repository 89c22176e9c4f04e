import {
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
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
import {
  type FinishOutcome,
  type ForwardedRecordFit,
  type StuckBatchCheck,
  SpoolForwarder,
} from './spool-forwarder.js';

/** The drain command's outcome: the forwarder's, and the records Kafka refused, kept apart. */
export interface DrainOutcome extends FinishOutcome {
  /** rejected.spool: records Kafka refused for good, kept for an operator, never forwarded. */
  setAsideFile: { path: string; bytes: number };
}

/**
 * `DELIVERY_MODE=spool`: a request is answered 202 once its permitted events are fsynced to the
 * local spool; the SpoolForwarder takes them on to Kafka, across Kafka outages and restarts.
 */
export class SpoolDelivery
  extends Delivery
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  readonly mode = 'spool';
  private readonly logger = new Logger(SpoolDelivery.name);
  private readonly spool: Spool;
  private readonly forwarder: SpoolForwarder;

  constructor(
    private readonly producer: DeliverySender,
    private readonly delivery: PublisherSettings,
    kafka: KafkaSettings,
    retry: RetryPolicy,
    metrics: EventMetrics,
    fit: ForwardedRecordFit,
    stuck: StuckBatchCheck,
  ) {
    super();
    const spool = (this.spool = new Spool(delivery, kafka));
    const forwarder = (this.forwarder = new SpoolForwarder(
      spool,
      producer,
      retry,
      metrics,
      delivery.spoolForwardLingerMs,
      fit,
      stuck,
      kafka.dlqTopic,
    ));
    metrics.gauge({
      name: 'kafka_events_spool_bytes',
      help: 'Bytes in local spool segments not yet forwarded and deleted (spool delivery mode).',
      collect() {
        this.set(spool.bytes);
      },
    });
    // Beside the spool's bytes, so that an alert can tell how soon it fills without the setting.
    metrics
      .gauge({
        name: 'kafka_events_spool_limit_bytes',
        help: 'SPOOL_MAX_BYTES: spool size at which requests get 503 (spool delivery mode).',
      })
      .set(delivery.spoolMaxBytes);
    metrics.gauge({
      name: 'kafka_events_spool_forwarder_up',
      help: '0 from a failure of the spool forwarder until it forwards again, and while one batch has waited longer than SPOOL_FORWARD_STUCK_MS for a Kafka that answers (spool mode), else 1.',
      collect() {
        const { status } = forwarder.state;
        this.set(status === 'restarting' || status === 'stuck' ? 0 : 1);
      },
    });
    metrics.gauge({
      name: 'kafka_events_spool_forwarder_batch_wait_seconds',
      help: 'How long the batch the spool forwarder is sending has waited for Kafka; 0 when none is (spool mode).',
      collect() {
        this.set(forwarder.batchWaitedMs / 1000);
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

  /**
   * After the HTTP server closed (no append can come): while Kafka answers, what is left is
   * forwarded for at most SPOOL_SHUTDOWN_FORWARD_MS, so that a pod that is not coming back
   * leaves as little as it can on its volume; then the spool is closed, the rest kept for the
   * next start.
   */
  async onApplicationShutdown(): Promise<void> {
    const outcome = await this.forwarder.finish(this.delivery.spoolShutdownForwardMs, true);
    this.logger.log(
      outcome.empty
        ? `shutdown: the spool is forwarded (${outcome.forwardedByFinish} events left at SIGTERM, ${outcome.forwarded} since start)`
        : `shutdown: events are left in ${this.spool.dir} for the next start (Kafka away, or SPOOL_SHUTDOWN_FORWARD_MS=${this.delivery.spoolShutdownForwardMs} passed)`,
    );
    await this.forwarder.stop();
    await this.spool.close();
  }

  /**
   * The drain command's: forwards the whole spool, waiting for Kafka as long as it takes, for at
   * most `withinMs`. No append may come (no HTTP server).
   */
  async drain(withinMs: number): Promise<DrainOutcome> {
    const outcome = await this.forwarder.finish(withinMs, false);
    return { ...outcome, setAsideFile: await this.spool.setAsideFile() };
  }

  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    return this.spool.append(envelopes);
  }

  tooLarge(envelopes: readonly EventEnvelope[]): string | undefined {
    return this.spool.tooLarge(envelopes);
  }

  receipt({ accepted, delivered, filtered, duplicates }: DeliveryCounts): DeliveryReceipt {
    return { status: 202, body: { accepted, spooled: delivered, filtered, duplicates } };
  }

  /** A spool whose forwarder is down or stuck keeps answering 202 while nothing leaves. */
  get problem(): string | undefined {
    const state = this.forwarder.state;
    if (state.status === 'restarting')
      return `the spool forwarder failed and restarts: ${state.reason}`;
    if (state.status === 'stuck') return `the spool forwarder is stuck: ${state.reason}`;
    return missingTopicsProblem(this.producer.missing);
  }
}
