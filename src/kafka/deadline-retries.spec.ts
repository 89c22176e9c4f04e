import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { EventMetrics } from '../metrics/index.js';
import { DeadlineRetries } from './deadline-retries.js';
import { KafkaFailure } from './kafka-failure.js';
import type { RetrySettings } from './kafka.settings.js';
import type { OutgoingRecord } from './outgoing-record.js';
import { PartlyWrittenError } from './produce-request.js';
import { SenderTicket, type QueuedRecord } from './sender-ticket.js';
import { connectionCut, refusedAs } from './kafka-answer.fixture.js';
import { testRecord } from './test-record.fixture.js';

/** Stands in for the produce request: answers each request with the next scripted answer. */
class ScriptedKafka {
  readonly requests: string[][] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly answer: (
      records: readonly OutgoingRecord[],
      attempt: number,
    ) => Error | undefined = () => undefined,
  ) {}

  readonly produce = async (records: readonly OutgoingRecord[]): Promise<void> => {
    this.requests.push(records.map(({ name }) => name));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const error = this.answer(records, this.requests.length - 1);
    if (error) throw error;
  };
}

const settings: RetrySettings = {
  retries: 3,
  initialDelayMs: 1,
  maxDelayMs: 2,
  deadlineMs: 60_000,
};

function retriesWith(kafka: ScriptedKafka, retry: Partial<RetrySettings> = {}) {
  return new DeadlineRetries(kafka.produce, { ...settings, ...retry }, new EventMetrics());
}

const event = (name: string): OutgoingRecord => testRecord(name);

const tickets: SenderTicket[] = [];

/** One sender's records as the stage gets them; bounded: a deadline `retryFor` ms away. */
function sender(
  names: string[],
  options: { retryFor?: number; signal?: AbortSignal } = {},
): QueuedRecord[] {
  const ticket = new SenderTicket(
    names.length,
    options.retryFor === undefined ? undefined : Date.now() + options.retryFor,
    60_000,
    options.signal,
    () => undefined,
    () => undefined,
  );
  tickets.push(ticket);
  return names.map((name) => ({ record: event(name), ticket }));
}

const namesOf = (entries: Iterable<QueuedRecord>) => [...entries].map(({ record }) => record.name);

describe('DeadlineRetries', () => {
  // A bounded sender's answer timer would hold the test process for its whole minute.
  afterEach(() => {
    for (const ticket of tickets.splice(0)) ticket.fail(new Error('test over'));
  });

  it('sends a failed request again, the same records, before anything else', async () => {
    const kafka = new ScriptedKafka((_, attempt) => (attempt < 2 ? connectionCut() : undefined));
    const failures = new Map<QueuedRecord, unknown>();
    assert.equal(await retriesWith(kafka).send(sender(['a', 'b']), failures), undefined);
    assert.deepEqual(kafka.requests, [
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
    assert.equal(failures.size, 0);
    assert.equal(kafka.maxInFlight, 1);
  });

  it('gives a bounded sender up once its retries are spent, with the failure', async () => {
    const kafka = new ScriptedKafka(() => connectionCut());
    const failures = new Map<QueuedRecord, unknown>();
    const entries = sender(['a'], { retryFor: 60_000 });
    assert.equal(await retriesWith(kafka, { retries: 2 }).send(entries, failures), undefined);
    assert.equal(kafka.requests.length, 3, 'the first attempt and two retries');
    const failure = failures.get(entries[0]);
    assert.ok(failure instanceof KafkaFailure);
    assert.equal(failure.kind, 'unavailable');
  });

  it("gives a bounded sender up at its deadline, and tries the others' records on", async () => {
    const kafka = new ScriptedKafka((_, attempt) => (attempt < 3 ? connectionCut() : undefined));
    const failures = new Map<QueuedRecord, unknown>();
    const late = sender(['late'], { retryFor: 0 });
    const forwarded = sender(['spooled']);
    const retries = retriesWith(kafka, { retries: 1, initialDelayMs: 5, maxDelayMs: 5 });
    assert.equal(await retries.send([...late, ...forwarded], failures), undefined);
    assert.deepEqual(namesOf(failures.keys()), ['late']);
    assert.deepEqual(kafka.requests, [['late', 'spooled'], ['spooled'], ['spooled'], ['spooled']]);
  });

  it('retries an unbounded sender until Kafka takes the records, past KAFKA_RETRIES', async () => {
    const kafka = new ScriptedKafka((_, attempt) => (attempt < 5 ? connectionCut() : undefined));
    const failures = new Map<QueuedRecord, unknown>();
    assert.equal(await retriesWith(kafka, { retries: 1 }).send(sender(['a']), failures), undefined);
    assert.equal(kafka.requests.length, 6, 'acknowledged after five failures');
    assert.equal(failures.size, 0);
  });

  it('stops retrying an unbounded sender when its signal aborts, cutting the backoff short', async () => {
    const kafka = new ScriptedKafka(() => connectionCut());
    const stop = new AbortController();
    const failures = new Map<QueuedRecord, unknown>();
    const entries = sender(['a'], { signal: stop.signal });
    const retries = retriesWith(kafka, { initialDelayMs: 60_000, maxDelayMs: 60_000 });
    const started = performance.now();
    const done = retries.send(entries, failures);
    setTimeout(() => stop.abort(new Error('stopping')), 20);
    assert.equal(await done, undefined);
    assert.ok(performance.now() - started < 30_000, 'the minute-long backoff was cut short');
    assert.equal(kafka.requests.length, 2, 'the attempt, and the retry after the backoff');
    assert.ok(failures.has(entries[0]));
  });

  it("keeps an unbounded sender's records while Kafka refuses this service, gives a bounded one up", async () => {
    const kafka = new ScriptedKafka((_, attempt) =>
      attempt < 2 ? refusedAs('TOPIC_AUTHORIZATION_FAILED') : undefined,
    );
    const failures = new Map<QueuedRecord, unknown>();
    const answered = sender(['bounded'], { retryFor: 60_000 });
    assert.equal(
      await retriesWith(kafka).send([...answered, ...sender(['spooled'])], failures),
      undefined,
    );
    assert.equal((failures.get(answered[0]) as KafkaFailure).kind, 'unauthorized');
    assert.deepEqual(kafka.requests, [['bounded', 'spooled'], ['spooled'], ['spooled']]);
  });

  it('retries only what Kafka did not write after a transient failure', async () => {
    const entries = sender(['a1', 'b1', 'a2']);
    const written = new Set([entries[0].record, entries[2].record]);
    const kafka = new ScriptedKafka((_, attempt) =>
      attempt === 0 ? new PartlyWrittenError(written, connectionCut()) : undefined,
    );
    assert.equal(await retriesWith(kafka).send(entries, new Map()), undefined);
    assert.deepEqual(kafka.requests, [['a1', 'b1', 'a2'], ['b1']]);
  });

  it('answers a refusal with the records Kafka did not write, and sends nothing more', async () => {
    const entries = sender(['a1', 'c1', 'c-big', 'a2']);
    const written = new Set([entries[0].record, entries[3].record]);
    const kafka = new ScriptedKafka(
      () => new PartlyWrittenError(written, refusedAs('MESSAGE_TOO_LARGE')),
    );
    const refused = await retriesWith(kafka).send(entries, new Map());
    assert.equal(refused?.failure.kind, 'rejected');
    assert.deepEqual(namesOf(refused?.unwritten ?? []), ['c1', 'c-big']);
    assert.equal(kafka.requests.length, 1);
  });

  it('lets go of a long-lived signal once each send is settled, retries included', async () => {
    const forwarder = new AbortController();
    for (let n = 0; n < 20; n++) {
      const kafka = new ScriptedKafka((_, attempt) => (attempt < 1 ? connectionCut() : undefined));
      const entries = sender([`e${n}`], { signal: forwarder.signal });
      assert.equal(await retriesWith(kafka).send(entries, new Map()), undefined);
      entries[0].ticket.acknowledge();
    }
    // A listener left behind holds its batch (records and all) for the forwarder's whole life.
    assert.equal(getEventListeners(forwarder.signal, 'abort').length, 0);
  });
});
