import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import type { ClientKafka } from '@nestjs/microservices';
import kafkajs, { type ProducerBatch } from 'kafkajs';
import { EventMetrics } from '../metrics/index.js';
import { errorCodeOf, KafkaAnswer } from './kafka-answer.fixture.js';
import { KafkaProducer } from './kafka-producer.js';
import { kafkaSettings } from './kafka.settings.js';
import type { KafkaMessage, OutgoingRecord } from './outgoing-record.js';
import { keepPartitionAnswers } from './partition-answers.js';
import type { TopicAdmin } from './topic-admin.js';
import type { TopicLimits } from './topic-limits.js';

const MESSAGE_TOO_LARGE = errorCodeOf('MESSAGE_TOO_LARGE');
const UNKNOWN_TOPIC_OR_PARTITION = errorCodeOf('UNKNOWN_TOPIC_OR_PARTITION');
/** The partitions of every topic of the fake broker. */
const PARTITIONS = 16;

/**
 * Stands in for ClientKafka and the broker behind it. Messages are placed by the service's own
 * partitioner (a record's key is the first letter of its name) and answered per partition, as
 * Kafka does, through kafkajs' own parser: a partition holding a record named `…big` is refused
 * whole, one of a topic in `deleted` is unknown, the others are written. `cut` fails the next
 * requests before anything is written.
 */
class FakeKafka {
  /** Every call, in order: connect, close, or the names a request held. */
  readonly calls: string[] = [];
  readonly requests: string[][] = [];
  /** Each request's acks, compression and timeout. */
  readonly options: object[] = [];
  /** What Kafka wrote, per topic and key. */
  readonly written = new Map<string, string[]>();
  readonly deleted = new Set<string>();
  cut = 0;
  unreachable = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly broker = new KafkaAnswer(PARTITIONS);

  readonly client = {
    connect: () => {
      this.calls.push('connect');
      if (this.unreachable-- > 0) {
        return Promise.reject(new kafkajs.KafkaJSConnectionError('connection refused'));
      }
      return Promise.resolve();
    },
    close: () => {
      this.calls.push('close');
      return Promise.resolve();
    },
    producer: { sendBatch: (batch: ProducerBatch) => this.sendBatch(batch) },
  } as unknown as ClientKafka;

  private async sendBatch({
    topicMessages = [],
    acks,
    compression,
    timeout,
  }: ProducerBatch): Promise<[]> {
    this.options.push({ acks, compression, timeout });
    const names = topicMessages.flatMap(({ messages }) => messages.map(nameOf));
    this.calls.push(names.join(','));
    this.requests.push(names);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    if (this.cut-- > 0) throw new kafkajs.KafkaJSConnectionError('connection cut');
    await this.broker.answer(topicMessages, (topic, _, held) => {
      const errorCode = this.deleted.has(topic)
        ? UNKNOWN_TOPIC_OR_PARTITION
        : held.some((message) => nameOf(message).endsWith('big')) && topic !== 'dlq'
          ? MESSAGE_TOO_LARGE
          : 0;
      if (errorCode === 0) this.write(topic, held as KafkaMessage[]);
      return errorCode;
    });
    return [];
  }

  private write(topic: string, messages: KafkaMessage[]): void {
    for (const message of messages) {
      const log = `${topic}/${message.key}`;
      this.written.set(log, [...(this.written.get(log) ?? []), nameOf(message)]);
    }
  }
}

const nameOf = (message: { headers?: object }) =>
  String((message.headers as Record<string, string> | undefined)?.name);

/** Creates topics, or refuses to for those in `refused`, as a broker's policy would. */
class FakeTopicAdmin {
  readonly created: string[] = [];
  readonly refused = new Set<string>();

  constructor(private readonly kafka: FakeKafka) {}

  ensureEventTopic(topic: string): Promise<boolean> {
    if (this.refused.has(topic)) {
      const policy = Object.assign(new Error('topic creation is not allowed'), {
        name: 'KafkaJSProtocolError',
        type: 'POLICY_VIOLATION',
        retriable: false,
      });
      return Promise.reject(policy);
    }
    const created = this.kafka.deleted.delete(topic);
    if (created) this.created.push(topic);
    return Promise.resolve(created);
  }
}

class TestRecord implements OutgoingRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly size = 100;

  constructor(
    readonly name: string,
    readonly topic = 'event_logs',
    readonly id = `id-${name}`,
  ) {
    this.key = name.slice(0, 1);
    this.value = Buffer.from(`{"name":"${name}"}`);
  }

  toMessage(): KafkaMessage {
    return { key: this.key, value: this.value, headers: { name: this.name } };
  }

  deadLetter(dlqTopic: string): OutgoingRecord {
    return new TestRecord(this.name, dlqTopic, this.id);
  }

  deadLetterWithoutValue(dlqTopic: string): OutgoingRecord {
    return this.deadLetter(dlqTopic);
  }
}

function producerWith(env: Record<string, string> = {}) {
  const kafka = new FakeKafka();
  const admin = new FakeTopicAdmin(kafka);
  const forgotten: string[] = [];
  const limits = { forget: (topic: string) => forgotten.push(topic) } as unknown as TopicLimits;
  const settings = kafkaSettings.parse({
    KAFKA_RETRY_INITIAL_MS: '1',
    KAFKA_RETRY_MAX_MS: '2',
    PUBLISH_LINGER_MS: '0',
    ...env,
  });
  const producer = new KafkaProducer(
    kafka.client,
    { acks: -1, compression: 0, timeout: 5_000 },
    settings,
    new EventMetrics(),
    admin as unknown as TopicAdmin,
    limits,
  );
  return { producer, kafka, admin, forgotten };
}

const events = (...names: string[]) => names.map((name) => new TestRecord(name));
const bounded = { bounded: true };

describe('KafkaProducer', () => {
  keepPartitionAnswers();
  // The keys the cases use must land on partitions of their own.
  const placement = new KafkaAnswer(PARTITIONS);
  const partitionsOf = ['a', 'b', 'c', 'd'].map((key) =>
    placement.partitionOf('event_logs', { key, value: null }),
  );
  assert.equal(new Set(partitionsOf).size, 4);

  it('sends every request, retries included, with the send options it was given (acks=all)', async () => {
    const { producer, kafka } = producerWith();
    kafka.cut = 1;
    assert.equal((await producer.send(events('a1', 'b1'), bounded)).size, 0);
    assert.ok(kafka.options.length >= 2, 'the cut request and its retry');
    for (const options of kafka.options) {
      assert.deepEqual(options, { acks: -1, compression: 0, timeout: 5_000 });
    }
  });

  it('retries a failed request on a renewed producer before sending anything else, each key in order', async () => {
    const { producer, kafka } = producerWith();
    kafka.cut = 1;
    const first = producer.send(events('a1', 'b1'), bounded);
    await new Promise((resolve) => setImmediate(resolve));
    const second = producer.send(events('c1', 'a2'), bounded);
    assert.equal((await first).size, 0);
    assert.equal((await second).size, 0);
    assert.deepEqual(kafka.calls, ['connect', 'a1,b1', 'close', 'connect', 'a1,b1', 'c1,a2']);
    assert.deepEqual(kafka.written.get('event_logs/a'), ['a1', 'a2']);
    assert.equal(kafka.maxInFlight, 1);
  });

  it('resends only the partitions Kafka did not write, halving them in order, each record once', async () => {
    const { producer, kafka, forgotten } = producerWith({ KAFKA_DLQ_TOPIC: 'dlq' });
    const names = ['a1', 'b1', 'c1', 'a2', 'c2', 'b2', 'c-big', 'c3', 'a3', 'c4', 'b3'];
    const answers = await Promise.all(names.map((name) => producer.send(events(name), bounded)));
    const refused = answers.flatMap((refusals) =>
      [...refusals].map(([{ name }, { failure, deadLetterTopic }]) => ({
        name,
        kind: failure.kind,
        deadLetterTopic,
      })),
    );
    assert.deepEqual(refused, [{ name: 'c-big', kind: 'rejected', deadLetterTopic: 'dlq' }]);
    assert.deepEqual(
      Object.fromEntries(kafka.written),
      {
        'event_logs/a': ['a1', 'a2', 'a3'],
        'event_logs/b': ['b1', 'b2', 'b3'],
        'event_logs/c': ['c1', 'c2', 'c3', 'c4'],
        'dlq/c': ['c-big'],
      },
      'every record once, each key in the order sent',
    );
    assert.deepEqual(
      kafka.requests,
      [names, ['c1', 'c2', 'c-big'], ['c1', 'c2'], ['c-big'], ['c3', 'c4'], ['c-big']],
      'one batch of three partitions; after the refusal, only what Kafka did not write, halved; the dead letter',
    );
    assert.equal(
      kafka.calls.filter((call) => call === 'close').length,
      3,
      'a new producer after each of the three refused requests',
    );
    assert.deepEqual(forgotten, ['event_logs'], "the topic's limit is read again");
  });

  it('creates a deleted topic again and sends its records there', async () => {
    const { producer, kafka, admin } = producerWith();
    kafka.deleted.add('kytos.evcs');
    const records = [new TestRecord('a1', 'kytos.evcs'), new TestRecord('b1')];
    assert.equal((await producer.send(records, bounded)).size, 0);
    assert.deepEqual(admin.created, ['kytos.evcs']);
    assert.deepEqual(kafka.requests, [['a1', 'b1'], ['a1']], 'b1 was written: never again');
    assert.deepEqual(kafka.written.get('kytos.evcs/a'), ['a1']);
    assert.deepEqual(producer.missing, []);
  });

  it('refuses the records of a topic Kafka will not create, sends the rest, and refuses the next ones before sending', async () => {
    const { producer, kafka, admin } = producerWith();
    kafka.deleted.add('gone');
    admin.refused.add('gone');
    const refusals = await producer.send(
      [new TestRecord('a1'), new TestRecord('b1', 'gone'), new TestRecord('c1')],
      bounded,
    );
    assert.deepEqual(
      [...refusals].map(([{ name }, { failure }]) => `${name}: ${failure.kind}`),
      ['b1: rejected'],
    );
    assert.match([...refusals.values()][0]?.failure.reason ?? '', /topic gone does not exist/);
    assert.deepEqual(kafka.requests, [['a1', 'c1', 'b1']], 'a1 and c1 were written: never again');
    assert.deepEqual(producer.missing, ['gone']);
    const next = await producer.send([new TestRecord('d1', 'gone')], bounded);
    assert.equal([...next.values()][0]?.failure.kind, 'rejected');
    assert.equal(kafka.requests.length, 1, 'refused without asking Kafka');
  });

  it('connects again for the next attempt when Kafka could not be reached', async () => {
    const { producer, kafka } = producerWith();
    kafka.unreachable = 2;
    assert.equal((await producer.send(events('a1'), bounded)).size, 0);
    assert.deepEqual(kafka.calls, ['connect', 'connect', 'connect', 'a1']);
  });

  it('answers a bounded sender 503 once its retries are spent, and an unbounded one never', async () => {
    const { producer, kafka } = producerWith({ KAFKA_RETRIES: '2' });
    kafka.cut = 5;
    await assert.rejects(producer.send(events('a1'), bounded), { kind: 'unavailable' });
    assert.equal(kafka.requests.length, 3, 'the first attempt and two retries');
    assert.equal(producer.depth, 0);
    assert.equal((await producer.send(events('b1'), { bounded: false })).size, 0);
    assert.equal(kafka.requests.length, 6, 'two more failures, then taken');
  });

  it('does not renew the producer once the service shuts down', async () => {
    const { producer, kafka } = producerWith({ KAFKA_RETRIES: '0' });
    kafka.cut = 1;
    producer.beforeApplicationShutdown();
    await assert.rejects(producer.send(events('a1'), bounded), { kind: 'unavailable' });
    assert.deepEqual(kafka.calls, ['connect', 'a1']);
  });

  it('lets go of a long-lived signal once each send is settled, retries included', async () => {
    const { producer, kafka } = producerWith();
    const forwarder = new AbortController();
    for (let n = 0; n < 20; n++) {
      kafka.cut = 1;
      const sent = producer.send(events(`a${n}`), { bounded: false, signal: forwarder.signal });
      assert.equal((await sent).size, 0);
    }
    // A listener left behind holds its batch (records and all) for the forwarder's whole life.
    assert.equal(getEventListeners(forwarder.signal, 'abort').length, 0);
    assert.equal(kafka.requests.length, 40);
  });
});
