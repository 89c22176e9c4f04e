import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { EventMetrics } from '../metrics/index.js';
import { EventEnvelope, type KafkaMessage } from './event-envelope.js';
import {
  KAFKA_CLIENT,
  KAFKA_SEND_OPTIONS,
  KafkaFailure,
  KafkaSendOptions,
  kafkaSettings,
  type KafkaSettings,
  TopicAdmin,
  TopicLimits,
} from '../kafka/index.js';
import { publisherSettings, type PublisherSettings } from './publisher.settings.js';
import { MissingTopics } from './missing-topics.js';
import { ProduceLane } from './produce-lane.js';
import { RecordsRefused, type Refusal } from './records-refused.js';
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
  private readonly missingTopics: MissingTopics;
  /** Once the service shuts down, a failed producer is not renewed: its sockets would outlive it. */
  private closing = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(KAFKA_SEND_OPTIONS) private readonly sendOptions: KafkaSendOptions,
    @Inject(kafkaSettings.token) private readonly kafka: KafkaSettings,
    @Inject(publisherSettings.token) delivery: PublisherSettings,
    private readonly retry: RetryPolicy,
    private readonly metrics: EventMetrics,
    private readonly topics: TopicAdmin,
    private readonly limits: TopicLimits,
  ) {
    this.lane = new ProduceLane((envelopes) => this.produce(envelopes), delivery.batch);
    const missing = (this.missingTopics = new MissingTopics(kafka.checkIntervalMs));
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
   * Resolves once Kafka acknowledged every record. Throws RecordsRefused when Kafka refused some
   * for good (every other one was acknowledged; the refused ones went to KAFKA_DLQ_TOPIC when it
   * is set and took them), KafkaFailure when the batch could not be delivered at all. Retries
   * stop `KAFKA_RETRY_DEADLINE_MS` after `startedAt`.
   */
  async send(envelopes: readonly EventEnvelope[], startedAt = Date.now()): Promise<void> {
    if (envelopes.length === 0) return;
    const stopTimer = this.metrics.publishSeconds.startTimer();
    const refusals = new Map<EventEnvelope, Refusal>();
    try {
      await this.deliver(envelopes, refusals, startedAt, false);
    } catch (error) {
      stopTimer({ outcome: 'failed' });
      const failure = KafkaFailure.from(error);
      this.logger.error(
        `publishing ${envelopes.length} event(s) failed for good: ${failure.reason}`,
      );
      throw failure;
    }
    this.metrics.published.inc(envelopes.length - refusals.size);
    stopTimer({ outcome: refusals.size === 0 ? 'acknowledged' : 'failed' });
    if (refusals.size === 0) return;
    await this.deadLetter(refusals, startedAt);
    throw new RecordsRefused(refusals);
  }

  /**
   * Kafka answers a failed produce request with one partition's error, whichever records it
   * meant: a refused batch is halved until each record Kafka refuses is alone, and the others
   * are sent again without it (`alone`: not merged with other batches in the lane, which could
   * hold another refused record). Records of a topic known to be missing are refused up front.
   */
  private async deliver(
    envelopes: readonly EventEnvelope[],
    refusals: Map<EventEnvelope, Refusal>,
    startedAt: number,
    alone: boolean,
  ): Promise<void> {
    const sendable: EventEnvelope[] = [];
    for (const envelope of envelopes) {
      const missing = this.missingTopics.reasonFor(envelope.topic);
      if (missing === undefined) sendable.push(envelope);
      else refusals.set(envelope, { failure: KafkaFailure.refused(missing) });
    }
    if (sendable.length === 0) return;
    try {
      await this.retry.run(
        () => this.lane.run(sendable, alone),
        KafkaFailure.isTransient,
        (error, retry, delayMs) => {
          this.metrics.retries.inc();
          this.logger.warn(
            `publishing ${sendable.length} event(s) failed (${KafkaFailure.from(error).reason}); retry ${retry + 1} in ${delayMs} ms`,
          );
        },
        startedAt,
      );
    } catch (error) {
      const failure = KafkaFailure.from(error);
      if (failure.kind !== 'rejected') throw failure;
      if (sendable.length === 1) {
        refusals.set(sendable[0], { failure });
        // The topic's limit changed under the cached one: the next records are checked anew.
        if (KafkaFailure.hasType(failure, 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE')) {
          this.limits.forget(sendable[0].topic);
        }
        this.logger.warn(
          `event ${sendable[0].id} (${sendable[0].name}) refused by Kafka: ${failure.reason}`,
        );
        return;
      }
      const half = Math.ceil(sendable.length / 2);
      await this.deliver(sendable.slice(0, half), refusals, startedAt, true);
      await this.deliver(sendable.slice(half), refusals, startedAt, true);
    }
  }

  /** Each refused record to KAFKA_DLQ_TOPIC, alone, with the reason; one it refuses stays refused. */
  private async deadLetter(
    refusals: Map<EventEnvelope, Refusal>,
    startedAt: number,
  ): Promise<void> {
    const { dlqTopic } = this.kafka;
    if (dlqTopic === undefined) return;
    for (const [envelope, refusal] of refusals) {
      const { reason } = refusal.failure;
      let sent = await this.sendDeadLetter(envelope.deadLetter(dlqTopic, reason), startedAt);
      if (sent === 'refused') {
        // Refused by the dead letter topic too (too large, say): the letter goes without the value.
        const bare = envelope.deadLetterWithoutValue(dlqTopic, reason);
        sent = await this.sendDeadLetter(bare, startedAt);
      }
      if (sent !== 'sent') continue;
      refusal.deadLetterTopic = dlqTopic;
      this.metrics.deadLetters.inc();
      this.logger.warn(
        `event ${envelope.id} (${envelope.name}) refused by Kafka (${refusal.failure.reason}); sent to ${dlqTopic}`,
      );
    }
  }

  /** Whether Kafka took the letter, refused it for good, or did not take it in time. */
  private async sendDeadLetter(
    letter: EventEnvelope,
    startedAt: number,
  ): Promise<'sent' | 'refused' | 'unavailable'> {
    try {
      await this.retry.run(
        () => this.lane.run([letter], true),
        KafkaFailure.isTransient,
        undefined,
        startedAt,
      );
      return 'sent';
    } catch (error) {
      const failure = KafkaFailure.from(error);
      this.logger.error(
        `event ${letter.id} (${letter.name}) could not be sent to ${letter.topic}: ${failure.reason}`,
      );
      return failure.kind === 'rejected' ? 'refused' : 'unavailable';
    }
  }

  /** Topics that records are routed to but Kafka could not create: for readiness and metrics. */
  get missing(): string[] {
    return this.missingTopics.topics;
  }

  /** One produce request; runs in the lane, so a failure renews the producer before any other. */
  private async produce(envelopes: readonly EventEnvelope[]): Promise<void> {
    await this.prepare();
    const byTopic = new Map<string, KafkaMessage[]>();
    for (const envelope of envelopes) {
      const topic = envelope.topic;
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push(envelope.toMessage());
    }
    try {
      // Straight to ClientKafka's producer: emitBatch would serialize every (already encoded)
      // message again behind a promise each (docs/architecture.md). One produce request carries
      // every topic of the batch.
      await this.client.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        ...this.sendOptions,
      });
    } catch (error) {
      this.renewProducer();
      if (KafkaFailure.hasType(error, 'UNKNOWN_TOPIC_OR_PARTITION')) {
        const missing = await this.recreateTopics([...byTopic.keys()]);
        // Refused, so that the batch is halved: its records of other topics are sent again
        // without these, which `deliver` now refuses before sending.
        if (missing.length > 0) throw KafkaFailure.refused(missing.join('; '));
      }
      throw error;
    }
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
    const { topic, dlqTopic } = this.kafka;
    for (const name of dlqTopic === undefined ? [topic] : [topic, dlqTopic]) {
      const created = await this.topics.ensureEventTopic(name);
      this.logger.log(created ? `created topic ${name}` : `publishing to existing topic ${name}`);
    }
  }
}
