import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Refused } from './deadline-retries.js';
import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';
import { RefusalIsolation, type RefusalHooks } from './refusal-isolation.js';
import { SenderTicket, type QueuedRecord } from './sender-ticket.js';
import { testRecord } from './test-record.fixture.js';

/**
 * Stands in for the retry stage over Kafka as it answers per partition (a record's partition is
 * the first letter of its name): a partition holding a record named `…big` is refused whole, the
 * others are written; a record named `gone…` is given up on (its sender's time ran out).
 */
class PartitionedRetries {
  readonly requests: string[][] = [];
  readonly partitions = new Map<string, string[]>();

  send(
    entries: QueuedRecord[],
    failures: Map<QueuedRecord, unknown>,
  ): Promise<Refused | undefined> {
    this.requests.push(entries.map(({ record }) => record.name));
    const unwritten: QueuedRecord[] = [];
    const refused = new Set(
      entries
        .filter(({ record }) => record.name.endsWith('big'))
        .map(({ record }) => partitionOf(record)),
    );
    for (const entry of entries) {
      const { record } = entry;
      if (record.name.startsWith('gone')) failures.set(entry, KafkaFailure.timedOut('too late'));
      else if (refused.has(partitionOf(record))) unwritten.push(entry);
      else {
        const log = this.partitions.get(partitionOf(record)) ?? [];
        log.push(record.name);
        this.partitions.set(partitionOf(record), log);
      }
    }
    return Promise.resolve(
      unwritten.length === 0
        ? undefined
        : { failure: KafkaFailure.refused('MESSAGE_TOO_LARGE'), unwritten },
    );
  }
}

const partitionOf = ({ name }: OutgoingRecord) => name.slice(0, 1);

/** Records the dead letters it is asked to send (beside the requests, when given), and takes each. */
class RecordedDeadLetters {
  readonly sent: string[] = [];

  constructor(private readonly requests?: string[][]) {}

  send(record: OutgoingRecord, refusal: Refusal): Promise<void> {
    this.sent.push(record.name);
    this.requests?.push([`dlq:${record.name}`]);
    refusal.deadLetterTopic = 'dlq';
    return Promise.resolve();
  }
}

class RecordedHooks implements RefusalHooks {
  readonly refusedRecords: string[] = [];
  missingTopic?: string;

  refusedTopic(topic: string): string | undefined {
    return topic === this.missingTopic ? `topic ${topic} is missing` : undefined;
  }

  refused(record: OutgoingRecord): void {
    this.refusedRecords.push(record.name);
  }
}

const event = (name: string, topic?: string): OutgoingRecord => testRecord(name, { topic });

/** Each record its own sender's, as the batching stage hands them over. */
function batchOf(...records: OutgoingRecord[]): QueuedRecord[] {
  return records.map((record) => ({
    record,
    ticket: new SenderTicket(
      1,
      undefined,
      60_000,
      undefined,
      () => undefined,
      () => undefined,
    ),
  }));
}

const namesOf = (entries: Iterable<QueuedRecord>) => [...entries].map(({ record }) => record.name);

describe('RefusalIsolation', () => {
  it('halves a refused batch until the refused record stands alone; only it is refused', async () => {
    const retries = new PartitionedRetries();
    const hooks = new RecordedHooks();
    const letters = new RecordedDeadLetters(retries.requests);
    const isolation = new RefusalIsolation(retries, hooks, letters);
    const { refusals, failures } = await isolation.deliver(
      batchOf(event('s1'), event('s2'), event('s3'), event('s-big')),
    );
    assert.deepEqual(namesOf(refusals.keys()), ['s-big']);
    assert.equal([...refusals.values()][0]?.deadLetterTopic, 'dlq');
    assert.equal(failures.size, 0);
    assert.deepEqual(hooks.refusedRecords, ['s-big']);
    assert.deepEqual(letters.sent, ['s-big']);
    assert.deepEqual(
      retries.requests,
      [
        ['s1', 's2', 's3', 's-big'],
        ['s1', 's2'],
        ['s3', 's-big'],
        ['s3'],
        ['s-big'],
        ['dlq:s-big'],
      ],
      'the dead letter once the batch is settled',
    );
    assert.deepEqual(retries.partitions.get('s'), ['s1', 's2', 's3'], 'in the order they came');
  });

  it('resends only the partitions Kafka did not write, halving them in order, each record once', async () => {
    const retries = new PartitionedRetries();
    const hooks = new RecordedHooks();
    const letters = new RecordedDeadLetters();
    const isolation = new RefusalIsolation(retries, hooks, letters);
    const names = ['a1', 'b1', 'c1', 'a2', 'c2', 'b2', 'c-big', 'c3', 'a3', 'c4', 'b3'];
    const { refusals } = await isolation.deliver(batchOf(...names.map((name) => event(name))));
    assert.deepEqual(namesOf(refusals.keys()), ['c-big']);
    assert.deepEqual(hooks.refusedRecords, ['c-big']);
    assert.deepEqual(letters.sent, ['c-big']);
    assert.deepEqual(
      Object.fromEntries(retries.partitions),
      { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'], c: ['c1', 'c2', 'c3', 'c4'] },
      'every record once, each partition in the order sent',
    );
    assert.deepEqual(
      retries.requests,
      [names, ['c1', 'c2', 'c-big'], ['c1', 'c2'], ['c-big'], ['c3', 'c4']],
      'one batch of three partitions; after the refusal, only what Kafka did not write, halved',
    );
  });

  it('refuses records of a missing topic without asking Kafka, and sends the rest', async () => {
    const retries = new PartitionedRetries();
    const hooks = new RecordedHooks();
    hooks.missingTopic = 'gone';
    const letters = new RecordedDeadLetters();
    const isolation = new RefusalIsolation(retries, hooks, letters);
    const { refusals } = await isolation.deliver(batchOf(event('kept'), event('lost', 'gone')));
    assert.deepEqual(
      [...refusals.values()].map(({ failure }) => failure.reason),
      ['topic gone is missing'],
    );
    assert.deepEqual(retries.requests, [['kept']]);
    assert.deepEqual(letters.sent, ['lost'], 'its dead letter all the same');
    assert.deepEqual(hooks.refusedRecords, [], 'Kafka refused nothing');
  });

  it('passes on the records given up on, with no dead letter, and refuses without a dead letter topic', async () => {
    const retries = new PartitionedRetries();
    const hooks = new RecordedHooks();
    const isolation = new RefusalIsolation(retries, hooks, undefined);
    const { refusals, failures } = await isolation.deliver(
      batchOf(event('gone-1'), event('x1'), event('x-big')),
    );
    assert.deepEqual(namesOf(failures.keys()), ['gone-1']);
    assert.deepEqual(namesOf(refusals.keys()), ['x-big']);
    assert.equal([...refusals.values()][0]?.deadLetterTopic, undefined);
  });
});
