import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { AppConfig } from '../config/app-config.js';
import { EventMetrics } from '../metrics/index.js';
import { EventEnvelope, type KafkaMessage } from './event-envelope.js';
import {
  KAFKA_CLIENT,
  KAFKA_SEND_OPTIONS,
  KafkaFailure,
  KafkaSendOptions,
  TopicAdmin,
} from '../kafka/index.js';
import { ProduceLane } from './produce-lane.js';
import { RetryPolicy } from './retry-policy.js';

/**
 * Sends one batch of envelopes to their topics (a rule's, else KAFKA_TOPIC) and resolves only once Kafka acknowledged all
 * of them (with the configured acks). Failures come out as KafkaFailure, after RetryPolicy gave up.
 */
@Injectable()
export class KafkaProducer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaProducer.name);
  private ready?: Promise<void>;
  private readonly lane: ProduceLane;
  /** Once the service shuts down, a failed producer is not renewed: its sockets would outlive it. */
  private closing = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(KAFKA_SEND_OPTIONS) private readonly sendOptions: KafkaSendOptions,
    private readonly config: AppConfig,
    private readonly retry: RetryPolicy,
    private readonly metrics: EventMetrics,
    private readonly topics: TopicAdmin,
  ) {
    this.lane = new ProduceLane((envelopes) => this.produce(envelopes), config.delivery.batch);
  }

  /** Connects in the background: the webhook answers 503 until Kafka is there, it never blocks start. */
  onApplicationBootstrap(): void {
    this.prepare().catch((error: unknown) =>
      this.logger.warn(`Kafka is not reachable yet: ${KafkaFailure.from(error).reason}`),
    );
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
  }

  async send(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const stopTimer = this.metrics.publishSeconds.startTimer();
    try {
      await this.retry.run(
        () => this.lane.run(envelopes),
        KafkaFailure.isTransient,
        (error, retry, delayMs) => {
          this.metrics.retries.inc();
          this.logger.warn(
            `publishing ${envelopes.length} event(s) failed (${KafkaFailure.from(error).reason}); retry ${retry + 1} in ${delayMs} ms`,
          );
        },
      );
      stopTimer({ outcome: 'acknowledged' });
      this.metrics.published.inc(envelopes.length);
    } catch (error) {
      stopTimer({ outcome: 'failed' });
      const failure = KafkaFailure.from(error);
      this.logger.error(
        `publishing ${envelopes.length} event(s) failed for good: ${failure.reason}`,
      );
      throw failure;
    }
  }

  /** One produce request; runs in the lane, so a failure renews the producer before any other. */
  private async produce(envelopes: readonly EventEnvelope[]): Promise<void> {
    await this.prepare();
    const byTopic = new Map<string, KafkaMessage[]>();
    for (const envelope of envelopes) {
      const topic = envelope.topic ?? this.config.kafka.topic;
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push(envelope.toMessage());
    }
    try {
      // Straight to ClientKafka's producer: emitBatch would serialize every (already encoded)
      // message again behind a promise each, 6% of the throughput in `npm run bench`. One
      // produce request carries every topic of the batch.
      await this.client.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        ...this.sendOptions,
      });
    } catch (error) {
      this.renewProducer();
      throw error;
    }
  }

  /** Connects the producer and makes sure the topic exists; a failure is forgotten, so the next call tries again. */
  private prepare(): Promise<void> {
    this.ready ??= this.connect(this.connectAndCreateTopic());
    return this.ready;
  }

  /**
   * After a failed send, kafkajs rolls the idempotent producer's sequence numbers back, though
   * the broker may have written the batch before the connection broke. The next batch to that
   * partition would then reuse those numbers, be taken by the broker for a duplicate and be
   * acknowledged without being written: a lost event. A new producer gets a new producer id, so
   * its sequences cannot collide; the resent batch may be written twice (at least once), never
   * not at all. The lane guarantees that no other request is sent before this.
   */
  private renewProducer(): void {
    if (this.closing) return;
    const closed = this.client.close().catch((error: unknown) => {
      this.logger.warn(`closing the failed producer: ${String(error)}`);
    });
    this.ready = this.connect(closed.then(() => this.connectAndCreateTopic()));
    // Nobody may wait for this one (the last request may have been the failed one): a failure
    // here is left for the next send to meet, never an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  private connect(connecting: Promise<void>): Promise<void> {
    const attempt: Promise<void> = connecting.catch((error: unknown) => {
      if (this.ready === attempt) this.ready = undefined;
      throw error;
    });
    return attempt;
  }

  private async connectAndCreateTopic(): Promise<void> {
    await this.client.connect();
    const { topic, dlqTopic, topicPartitions, topicReplicationFactor } = this.config.kafka;
    for (const name of dlqTopic === undefined ? [topic] : [topic, dlqTopic]) {
      const created = await this.topics.ensureTopic({
        topic: name,
        partitions: topicPartitions,
        replicationFactor: topicReplicationFactor,
      });
      this.logger.log(created ? `created topic ${name}` : `publishing to existing topic ${name}`);
    }
  }
}
