import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { EventMetrics } from '../metrics/index.js';
import { KAFKA_CLIENT } from './kafka-client-options.js';
import { BatchingQueue, type SendOptions } from './batching-queue.js';
import { DeadLetters } from './dead-letters.js';
import { DeadlineRetries } from './deadline-retries.js';
import { KafkaFailure } from './kafka-failure.js';
import { KAFKA_SEND_OPTIONS, type KafkaSendOptions } from './kafka-send-options.js';
import { kafkaSettings, type KafkaSettings } from './kafka.settings.js';
import { MissingTopics } from './missing-topics.js';
import type { OutgoingRecord } from './outgoing-record.js';
import { PartlyWrittenError, sendProduceRequest } from './produce-request.js';
import type { Refusal } from './records-refused.js';
import { RefusalIsolation } from './refusal-isolation.js';
import { RetryPolicy } from './retry-policy.js';
import { TopicAdmin } from './topic-admin.js';
import { TopicLimits } from './topic-limits.js';

/**
 * The service's one reliable producer, which both deliveries call: the producer core's stages
 * (docs/architecture.md, The producer core) in front of one produce request at a time, on a
 * producer renewed after every failed request; every topic it writes is created here, again when
 * it was deleted, and refused up front while Kafka will not create it.
 */
@Injectable()
export class KafkaProducer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaProducer.name);
  private ready?: Promise<void>;
  private readonly queue: BatchingQueue;
  private readonly missingTopics: MissingTopics;
  /** Once the service shuts down, a failed producer is not renewed: its sockets would outlive it. */
  private closing = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(KAFKA_SEND_OPTIONS) private readonly sendOptions: KafkaSendOptions,
    @Inject(kafkaSettings.token) private readonly kafka: KafkaSettings,
    metrics: EventMetrics,
    private readonly topics: TopicAdmin,
    private readonly limits: TopicLimits,
  ) {
    const missing = (this.missingTopics = new MissingTopics(kafka.checkIntervalMs));
    const produce = (records: readonly OutgoingRecord[]) => this.produce(records);
    const retry = new RetryPolicy(kafka.retry);
    const isolation = new RefusalIsolation(
      new DeadlineRetries(produce, kafka.retry, metrics, retry),
      {
        refusedTopic: (topic) => missing.reasonFor(topic),
        refused: (record, failure) => {
          // The topic's limit changed under the cached one: the next records are checked anew.
          if (KafkaFailure.hasType(failure, 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE')) {
            limits.forget(record.topic);
          }
        },
      },
      kafka.dlqTopic === undefined
        ? undefined
        : new DeadLetters(produce, kafka.dlqTopic, retry, metrics),
    );
    this.queue = new BatchingQueue(
      isolation,
      kafka.batch,
      kafka.retry.deadlineMs,
      kafka.requestTimeoutMs,
      metrics,
    );
    metrics.gauge({
      name: 'kafka_events_topic_missing',
      help: 'Topics events are routed to that do not exist and Kafka will not create (1 each); their events are refused.',
      labelNames: ['topic'] as const,
      collect() {
        this.reset();
        for (const topic of missing.topics) this.set({ topic }, 1);
      },
    });
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

  /**
   * Resolves once Kafka acknowledged or refused for good every one of `records`, with the
   * refusals (each refused record went to KAFKA_DLQ_TOPIC first when it is set and took it);
   * rejects with a KafkaFailure when they could not be delivered (see SendOptions).
   */
  send<R extends OutgoingRecord>(
    records: readonly R[],
    options: SendOptions,
  ): Promise<ReadonlyMap<R, Refusal>> {
    return this.queue.send(records, options);
  }

  /** Records bounded senders handed over that Kafka has not answered yet. */
  get depth(): number {
    return this.queue.depth;
  }

  /** Topics that records are routed to but Kafka could not create: for readiness and metrics. */
  get missing(): string[] {
    return this.missingTopics.topics;
  }

  /** The stages' produce request: they send one at a time, so a failure renews the producer first. */
  private async produce(records: readonly OutgoingRecord[]): Promise<void> {
    await this.prepare();
    try {
      await sendProduceRequest(this.client.producer, records, this.sendOptions);
    } catch (error) {
      this.renewProducer();
      throw await this.refuseMissingTopics(error, records);
    }
  }

  /**
   * The answer the stages get: refused, so that the batch is halved, when a topic of `records`
   * is gone and Kafka will not create it again; its records of other topics that Kafka did not
   * write are sent again without these, which isolation now refuses before sending.
   */
  private async refuseMissingTopics(
    error: unknown,
    records: readonly OutgoingRecord[],
  ): Promise<unknown> {
    if (!KafkaFailure.hasType(error, 'UNKNOWN_TOPIC_OR_PARTITION')) return error;
    const missing = await this.recreateTopics([...new Set(records.map(({ topic }) => topic))]);
    if (missing.length === 0) return error;
    const refused = KafkaFailure.refused(missing.join('; '));
    return error instanceof PartlyWrittenError
      ? new PartlyWrittenError(error.written, refused)
      : refused;
  }

  /**
   * A topic deleted under the service (broker auto-creation off) is created again, as a rule's
   * topic is when the rule is made, and the send retried. One the broker will not create is
   * marked missing: its records are refused (dead letters, set aside, or 502) while the
   * others flow; kafkajs would otherwise fail every send while it asks for its metadata.
   */
  private async recreateTopics(topics: string[]): Promise<string[]> {
    const missing: string[] = [];
    for (const topic of topics) {
      try {
        const created = await this.topics.ensureEventTopic(topic);
        this.missingTopics.markPresent(topic);
        if (created) this.logger.warn(`topic ${topic} was missing; created it again`);
      } catch (error) {
        const refusal = KafkaFailure.brokerRefusal(error);
        if (refusal === undefined) return missing;
        const reason = `topic ${topic} does not exist and Kafka will not create it (${refusal})`;
        this.missingTopics.markMissing(topic, reason);
        this.logger.error(reason);
        missing.push(reason);
      }
    }
    return missing;
  }

  /** Connects the producer and makes sure the topic exists; a failure is forgotten, so the next call tries again. */
  private prepare(): Promise<void> {
    this.ready ??= this.connect(this.connectAndCreateTopic());
    return this.ready;
  }

  /**
   * A new producer id after a failed request, before the next: kafkajs rolled the failed one's
   * sequence numbers back (docs/architecture.md, The producer core).
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
    const { topic, dlqTopic } = this.kafka;
    for (const name of dlqTopic === undefined ? [topic] : [topic, dlqTopic]) {
      const created = await this.topics.ensureEventTopic(name);
      this.logger.log(created ? `created topic ${name}` : `publishing to existing topic ${name}`);
    }
  }
}
