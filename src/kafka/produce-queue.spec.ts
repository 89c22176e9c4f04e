import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventMetrics } from '../metrics/index.js';
import { KafkaFailure } from './kafka-failure.js';
import type { BatchSettings, RetrySettings } from './kafka.settings.js';
import type { KafkaMessage, OutgoingRecord } from './outgoing-record.js';
import {
  PartlyWrittenError,
  ProduceQueue,
  type ProduceRequests,
  QueueFullError,
} from './produce-queue.js';

/** Stands in for Kafka: each produce request waits until the test settles it. */
class ControlledKafka implements ProduceRequests {
  readonly requests: { names: string[]; settle: (error?: Error) => void }[] = [];
  readonly refusedRecords: string[] = [];
  missingTopic?: string;
  inFlight = 0;
  maxInFlight = 0;

  produce(records: readonly OutgoingRecord[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.requests.push({
        names: records.map((record) => `${record.topic === 'dlq' ? 'dlq:' : ''}${record.name}`),
        settle: (error) => {
          this.inFlight--;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  }

  refusedTopic(topic: string): string | undefined {
    return topic === this.missingTopic ? `topic ${topic} is missing` : undefined;
  }

  refused(record: OutgoingRecord): void {
    this.refusedRecords.push(record.name);
  }

  /** Settles the requests not settled yet, in order, until none is left (bounded). */
  async answerAll(answer: (names: string[]) => Error | undefined = () => undefined) {
    for (let settled = 0, rounds = 0; rounds < 100; rounds++) {
      await tick();
      if (settled === this.requests.length) {
        await sleep(2);
        if (settled === this.requests.length) return;
      }
      for (; settled < this.requests.length; settled++) {
        const request = this.requests[settled];
        request.settle(answer(request.names));
      }
    }
  }
}

/**
 * Stands in for Kafka as it answers per partition (a record's partition is the first letter of
 * its name): a partition holding a record named `…big` is refused whole, the others are written,
 * and the error says which records were. The first request to `unreachable` fails there with a
 * connection error instead.
 */
class PartitionedKafka implements ProduceRequests {
  readonly requests: string[][] = [];
  readonly partitions = new Map<string, string[]>();
  readonly refusedRecords: string[] = [];
  unreachable?: string;

  produce(records: readonly OutgoingRecord[]): Promise<void> {
    this.requests.push(records.map(({ name }) => name));
    const byPartition = new Map<string, OutgoingRecord[]>();
    for (const record of records) {
      const partition = record.topic === 'dlq' ? 'dlq' : record.name.slice(0, 1);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), record]);
    }
    const refused = [...byPartition].filter(
      ([partition, held]) =>
        partition === this.unreachable ||
        (partition !== 'dlq' && held.some(({ name }) => name.endsWith('big'))),
    );
    const written = new Set<OutgoingRecord>();
    for (const [partition, held] of byPartition) {
      if (refused.some(([failed]) => failed === partition)) continue;
      const log = this.partitions.get(partition) ?? [];
      log.push(...held.map(({ name }) => name));
      this.partitions.set(partition, log);
      for (const record of held) written.add(record);
    }
    if (refused.length === 0) return Promise.resolve();
    const cause = this.unreachable === undefined ? tooLarge() : transient();
    this.unreachable = undefined;
    return Promise.reject(written.size > 0 ? new PartlyWrittenError(written, cause) : cause);
  }

  refusedTopic(): undefined {
    return undefined;
  }

  refused(record: OutgoingRecord): void {
    this.refusedRecords.push(record.name);
  }
}

const batch: BatchSettings = {
  maxEvents: 3,
  maxBytes: 1024 * 1024,
  lingerMs: 5,
  maxQueuedEvents: 10,
  maxQueuedBytes: 1024 * 1024,
};
const retry: RetrySettings = { retries: 3, initialDelayMs: 1, maxDelayMs: 2, deadlineMs: 60_000 };

function queueWith(
  kafka: ProduceRequests,
  options: { batch?: Partial<BatchSettings>; retry?: Partial<RetrySettings>; dlq?: string } = {},
) {
  return new ProduceQueue(
    kafka,
    { ...batch, ...options.batch },
    { ...retry, ...options.retry },
    5_000,
    options.dlq,
    new EventMetrics(),
  );
}

/** A record as the producer sees it: its name stands for its event, its size is made up. */
class TestRecord implements OutgoingRecord {
  readonly key = null;
  readonly value = Buffer.from('{}');
  readonly size = 100;
  constructor(
    readonly name: string,
    readonly topic: string,
    readonly id = `id-${name}`,
  ) {}
  toMessage(): KafkaMessage {
    return { key: this.key, value: this.value, headers: {} };
  }
  deadLetter(dlqTopic: string): OutgoingRecord {
    return new TestRecord(this.name, dlqTopic, this.id);
  }
  deadLetterWithoutValue(dlqTopic: string): OutgoingRecord {
    return this.deadLetter(dlqTopic);
  }
}

function event(name: string, topic = 'event_logs'): TestRecord {
  return new TestRecord(name, topic);
}

const bounded = { bounded: true };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const transient = () =>
  Object.assign(new Error('connection cut'), { name: 'KafkaJSConnectionError' });
const tooLarge = () =>
  Object.assign(new Error('too large'), {
    name: 'KafkaJSProtocolError',
    type: 'MESSAGE_TOO_LARGE',
  });

describe('ProduceQueue', () => {
  it('sends at once when idle, and what arrives meanwhile together after the linger', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 100 } });
    const first = queue.send([event('a')], bounded);
    await tick();
    assert.deepEqual(
      kafka.requests.map((request) => request.names),
      [['a']],
      'nothing in flight: no linger',
    );
    const second = queue.send([event('b')], bounded);
    const third = queue.send([event('c')], bounded);
    kafka.requests[0]?.settle();
    await first;
    await tick();
    assert.equal(kafka.requests.length, 1, 'b and c arrived while a was in flight: they linger');
    await sleep(120);
    assert.deepEqual(
      kafka.requests.map((request) => request.names),
      [['a'], ['b', 'c']],
    );
    kafka.requests[1]?.settle();
    await Promise.all([second, third]);
    assert.equal(queue.depth, 0);
  });

  it('one sender at a time: each event goes at once, however soon after the last', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 100 } });
    for (const name of ['a', 'b', 'c']) {
      const answered = queue.send([event(name)], bounded);
      await tick();
      assert.equal(kafka.requests.at(-1)?.names[0], name, `${name} went without a linger`);
      kafka.requests.at(-1)?.settle();
      await answered;
    }
  });

  it('sends one request at a time, a full batch without the linger, within the limits', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 10_000 } });
    const busy = queue.send([event('x')], bounded);
    await tick();
    const done = queue.send([event('a'), event('b'), event('c'), event('d')], bounded);
    await tick();
    assert.deepEqual(
      kafka.requests.map((request) => request.names),
      [['x']],
    );
    kafka.requests[0]?.settle();
    await tick();
    await tick();
    assert.deepEqual(kafka.requests[1]?.names, ['a', 'b', 'c'], 'full: no linger');
    await kafka.answerAll();
    await Promise.all([busy, done]);
    assert.equal(kafka.maxInFlight, 1);
  });

  it('answers a sender only when every one of its records is acknowledged', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0 } });
    let settled = false;
    const done = queue
      .send([event('a'), event('b'), event('c'), event('d')], bounded)
      .then(() => (settled = true));
    await tick();
    kafka.requests[0]?.settle();
    await tick();
    assert.equal(settled, false, 'the fourth record is not sent yet');
    await kafka.answerAll();
    await done;
    assert.equal(settled, true);
  });

  it('retries a failed request before sending anything else, so each key keeps its order', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0 } });
    const first = queue.send([event('a'), event('b')], bounded);
    await tick();
    const second = queue.send([event('c'), event('a')], bounded);
    kafka.requests[0]?.settle(transient());
    // The retry waits out its backoff, which a busy machine stretches: wait for it, then look.
    for (let waited = 0; kafka.requests.length < 2 && waited < 2_000; waited += 5) await sleep(5);
    await sleep(20);
    assert.deepEqual(
      kafka.requests.map((request) => request.names),
      [
        ['a', 'b'],
        ['a', 'b'],
      ],
      'the failed batch again, nothing else meanwhile',
    );
    await kafka.answerAll();
    await Promise.all([first, second]);
    assert.deepEqual(kafka.requests.at(-1)?.names, ['c', 'a']);
    assert.equal(kafka.maxInFlight, 1);
  });

  it('gives a bounded sender up once its retries are spent, with the failure', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0 }, retry: { retries: 2 } });
    const failing = assert.rejects(queue.send([event('a')], bounded), (error: unknown) => {
      assert.ok(error instanceof KafkaFailure);
      assert.equal(error.kind, 'unavailable');
      return true;
    });
    await kafka.answerAll(() => transient());
    await failing;
    assert.equal(kafka.requests.length, 3, 'the first attempt and two retries');
    assert.equal(queue.depth, 0);
  });

  it('retries an unbounded sender until Kafka takes the records, and stops when it aborts', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0 }, retry: { retries: 1 } });
    const stop = new AbortController();
    const forwarded = queue.send([event('a')], { bounded: false, signal: stop.signal });
    let failures = 0;
    await kafka.answerAll(() => (++failures <= 5 ? transient() : undefined));
    assert.equal((await forwarded).size, 0, 'acknowledged after five failures');
    const stopped = queue.send([event('b')], { bounded: false, signal: stop.signal });
    await tick();
    kafka.requests.at(-1)?.settle(transient());
    stop.abort(new Error('stopping'));
    await assert.rejects(stopped, /stopping/);
  });

  it('lets go of a long-lived signal once each send is settled, retries included', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0 } });
    const forwarder = new AbortController();
    for (let n = 0; n < 20; n++) {
      const sent = queue.send([event(`e${n}`)], { bounded: false, signal: forwarder.signal });
      let failures = 0;
      await kafka.answerAll(() => (++failures <= 1 ? transient() : undefined));
      await sent;
    }
    // A listener left behind holds its batch (records and all) for the forwarder's whole life.
    assert.equal(getEventListeners(forwarder.signal, 'abort').length, 0);
  });

  it('refuses at once what would overfill it, taking nothing of that sender', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0 } });
    const held = queue.send(
      Array.from({ length: 8 }, (_, i) => event(`e${i}`)),
      bounded,
    );
    assert.throws(() => queue.send([event('x'), event('y'), event('z')], bounded), QueueFullError);
    assert.equal(queue.depth, 8);
    await kafka.answerAll();
    await held;
    assert.equal(queue.depth, 0);
    assert.ok(!kafka.requests.some((request) => request.names.includes('x')));
  });

  it('halves a refused batch until the refused record stands alone; only its sender hears of it', async () => {
    const kafka = new ControlledKafka();
    const queue = queueWith(kafka, { batch: { lingerMs: 0, maxEvents: 10 }, dlq: 'dlq' });
    const busy = queue.send([event('first')], bounded);
    await tick();
    const innocent = queue.send([event('small'), event('small-2')], bounded);
    const guilty = queue.send([event('small-3'), event('big')], bounded);
    await kafka.answerAll((names) =>
      names.includes('big') && !names.includes('dlq:big') ? tooLarge() : undefined,
    );
    await busy;
    assert.equal((await innocent).size, 0);
    const refusals = await guilty;
    assert.deepEqual(
      [...refusals.keys()].map((record) => record.name),
      ['big'],
    );
    assert.equal([...refusals.values()][0]?.deadLetterTopic, 'dlq');
    assert.deepEqual(kafka.refusedRecords, ['big']);
    const requests = kafka.requests.map((request) => request.names);
    assert.deepEqual(requests.slice(1, 4), [
      ['small', 'small-2', 'small-3', 'big'],
      ['small', 'small-2'],
      ['small-3', 'big'],
    ]);
    assert.deepEqual(requests.slice(-3), [['small-3'], ['big'], ['dlq:big']]);
  });

  it('resends only the partitions Kafka did not write, halving them in order, each record once', async () => {
    const kafka = new PartitionedKafka();
    const queue = queueWith(kafka, {
      batch: { lingerMs: 0, maxEvents: 20, maxQueuedEvents: 20 },
      dlq: 'dlq',
    });
    const names = ['a1', 'b1', 'c1', 'a2', 'c2', 'b2', 'c-big', 'c3', 'a3', 'c4', 'b3'];
    const answers = await Promise.all(names.map((name) => queue.send([event(name)], bounded)));
    const refusedNames = answers.flatMap((refusals) =>
      [...refusals.keys()].map(({ name }) => name),
    );
    assert.deepEqual(refusedNames, ['c-big']);
    assert.deepEqual(kafka.refusedRecords, ['c-big']);
    assert.deepEqual(
      Object.fromEntries(kafka.partitions),
      {
        a: ['a1', 'a2', 'a3'],
        b: ['b1', 'b2', 'b3'],
        c: ['c1', 'c2', 'c3', 'c4'],
        dlq: ['c-big'],
      },
      'every record once, each partition in the order sent',
    );
    assert.deepEqual(
      kafka.requests,
      [names, ['c1', 'c2', 'c-big'], ['c1', 'c2'], ['c-big'], ['c3', 'c4'], ['c-big']],
      'one batch of three partitions; after the refusal, only what Kafka did not write, halved; the dead letter',
    );
  });

  it('retries only what Kafka did not write after a transient failure', async () => {
    const kafka = new PartitionedKafka();
    kafka.unreachable = 'b';
    const queue = queueWith(kafka, { batch: { lingerMs: 0, maxEvents: 20 } });
    assert.equal((await queue.send([event('a1'), event('b1'), event('a2')], bounded)).size, 0);
    assert.deepEqual(kafka.requests, [['a1', 'b1', 'a2'], ['b1']]);
    assert.deepEqual(Object.fromEntries(kafka.partitions), { a: ['a1', 'a2'], b: ['b1'] });
  });

  it('refuses records of a missing topic without asking Kafka, and sends the rest', async () => {
    const kafka = new ControlledKafka();
    kafka.missingTopic = 'gone';
    const queue = queueWith(kafka, { batch: { lingerMs: 0 } });
    const sent = queue.send([event('kept'), event('lost', 'gone')], bounded);
    await kafka.answerAll();
    const refusals = await sent;
    assert.deepEqual(
      [...refusals.values()].map(({ failure }) => failure.reason),
      ['topic gone is missing'],
    );
    assert.deepEqual(
      kafka.requests.map((request) => request.names),
      [['kept']],
    );
  });

  it('answers 503 once the answer deadline passed, while Kafka still holds the batch', async () => {
    const kafka = new ControlledKafka();
    const queue = new ProduceQueue(
      kafka,
      { ...batch, lingerMs: 0 },
      { ...retry, deadlineMs: 30 },
      20,
      undefined,
      new EventMetrics(),
    );
    const waiting = queue.send([event('a')], bounded);
    await assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof KafkaFailure);
      assert.equal(error.kind, 'unavailable');
      assert.match(error.reason, /did not acknowledge within 50 ms/);
      return true;
    });
    assert.equal(queue.depth, 1, 'still counted until Kafka answers');
    kafka.requests[0]?.settle();
    await tick();
    assert.equal(queue.depth, 0);
  });
});
