import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventMetrics } from '../metrics/index.js';
import {
  BatchingQueue,
  type BatchDelivery,
  type BatchOutcome,
  QueueFullError,
} from './batching-queue.js';
import { KafkaFailure } from './kafka-failure.js';
import type { BatchSettings } from './kafka.settings.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { QueuedRecord } from './sender-ticket.js';
import { testRecord } from './test-record.fixture.js';

/** Stands in for the next stages: each batch waits until the test settles it. */
class ControlledDelivery implements BatchDelivery {
  readonly batches: { names: string[]; settle: (outcome?: Partial<BatchOutcome>) => void }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  deliver(batch: QueuedRecord[]): Promise<BatchOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      this.batches.push({
        names: batch.map(({ record }) => record.name),
        settle: (outcome = {}) => {
          this.inFlight--;
          resolve({ refusals: new Map(), failures: new Map(), ...outcome });
        },
      });
    });
  }

  /** Acknowledges the batches not settled yet, in order, until none is left (bounded). */
  async acknowledgeAll(): Promise<void> {
    for (let settled = 0, rounds = 0; rounds < 100; rounds++) {
      await tick();
      if (settled === this.batches.length) {
        await sleep(2);
        if (settled === this.batches.length) return;
      }
      for (; settled < this.batches.length; settled++) this.batches[settled].settle();
    }
  }
}

const limits: BatchSettings = {
  maxEvents: 3,
  maxBytes: 1024 * 1024,
  lingerMs: 5,
  maxQueuedEvents: 10,
  maxQueuedBytes: 1024 * 1024,
};

function queueWith(
  next: BatchDelivery,
  batch: Partial<BatchSettings> = {},
  deadline = { retryMs: 60_000, requestTimeoutMs: 5_000 },
) {
  return new BatchingQueue(
    next,
    { ...limits, ...batch },
    deadline.retryMs,
    deadline.requestTimeoutMs,
    new EventMetrics(),
  );
}

/** Only its name and size matter here. */
const event = (name: string, size?: number): OutgoingRecord => testRecord(name, { size });

const bounded = { bounded: true };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchingQueue', () => {
  it('sends at once when idle, and what arrives meanwhile together after the linger', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 100 });
    const first = queue.send([event('a')], bounded);
    await tick();
    assert.deepEqual(
      next.batches.map((batch) => batch.names),
      [['a']],
      'nothing in flight: no linger',
    );
    const second = queue.send([event('b')], bounded);
    const third = queue.send([event('c')], bounded);
    next.batches[0]?.settle();
    await first;
    await tick();
    assert.equal(next.batches.length, 1, 'b and c arrived while a was in flight: they linger');
    // The linger's timer fires late on a busy machine: wait for it (bounded), then look.
    for (let waited = 0; next.batches.length < 2 && waited < 2_000; waited += 10) await sleep(10);
    assert.deepEqual(
      next.batches.map((batch) => batch.names),
      [['a'], ['b', 'c']],
    );
    next.batches[1]?.settle();
    await Promise.all([second, third]);
    assert.equal(queue.depth, 0);
  });

  it('one sender at a time: each event goes at once, however soon after the last', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 100 });
    for (const name of ['a', 'b', 'c']) {
      const answered = queue.send([event(name)], bounded);
      await tick();
      assert.equal(next.batches.at(-1)?.names[0], name, `${name} went without a linger`);
      next.batches.at(-1)?.settle();
      await answered;
    }
  });

  it('hands over one batch at a time, a full batch without the linger, within the limits', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 10_000 });
    const busy = queue.send([event('x')], bounded);
    await tick();
    const done = queue.send([event('a'), event('b'), event('c'), event('d')], bounded);
    await tick();
    assert.deepEqual(
      next.batches.map((batch) => batch.names),
      [['x']],
    );
    next.batches[0]?.settle();
    await tick();
    await tick();
    assert.deepEqual(next.batches[1]?.names, ['a', 'b', 'c'], 'full: no linger');
    await next.acknowledgeAll();
    await Promise.all([busy, done]);
    assert.equal(next.maxInFlight, 1);
  });

  it('bounds a batch by bytes as Kafka counts them, a larger record alone', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { maxEvents: 100, maxBytes: 1024, lingerMs: 0 });
    const busy = queue.send([event('x')], bounded);
    await tick();
    // 61 bytes of a 1,024-byte batch are its header: 963 for records.
    const sent = queue.send(
      [event('a', 400), event('b', 500), event('c', 100), event('huge', 5000), event('d')],
      bounded,
    );
    await next.acknowledgeAll();
    await Promise.all([busy, sent]);
    assert.deepEqual(
      next.batches.map((batch) => batch.names),
      [['x'], ['a', 'b'], ['c'], ['huge'], ['d']],
    );
  });

  it('answers a sender only when every one of its records is acknowledged', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 0 });
    let settled = false;
    const done = queue
      .send([event('a'), event('b'), event('c'), event('d')], bounded)
      .then(() => (settled = true));
    await tick();
    next.batches[0]?.settle();
    await tick();
    assert.equal(settled, false, 'the fourth record is not sent yet');
    await next.acknowledgeAll();
    await done;
    assert.equal(settled, true);
  });

  it("answers each sender with its own refusals, or fails it with its records' failure", async () => {
    const refused = { failure: KafkaFailure.refused('too large'), deadLetterTopic: 'dlq' };
    const gone = KafkaFailure.timedOut('gone');
    const batches: string[][] = [];
    const next: BatchDelivery = {
      deliver(batch) {
        batches.push(batch.map(({ record }) => record.name));
        const named = (name: string) => batch.filter(({ record }) => record.name === name);
        return Promise.resolve({
          refusals: new Map(named('big').map((entry) => [entry, refused])),
          failures: new Map(named('late').map((entry) => [entry, gone])),
        });
      },
    };
    const queue = queueWith(next, { lingerMs: 0, maxEvents: 10 });
    const innocent = queue.send([event('small'), event('small-2')], bounded);
    const guilty = queue.send([event('small-3'), event('big')], bounded);
    const given = queue.send([event('late')], bounded);
    assert.equal((await innocent).size, 0);
    const refusals = await guilty;
    assert.deepEqual(
      [...refusals.keys()].map(({ name }) => name),
      ['big'],
    );
    assert.equal([...refusals.values()][0], refused);
    await assert.rejects(given, (error) => error === gone);
    assert.deepEqual(batches, [['small', 'small-2', 'small-3', 'big', 'late']], 'one batch');
    assert.equal(queue.depth, 0);
  });

  it('refuses at once what would overfill it, taking nothing of that sender', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 0 });
    const held = queue.send(
      Array.from({ length: 8 }, (_, i) => event(`e${i}`)),
      bounded,
    );
    assert.throws(() => queue.send([event('x'), event('y'), event('z')], bounded), QueueFullError);
    assert.equal(queue.depth, 8);
    await next.acknowledgeAll();
    await held;
    assert.equal(queue.depth, 0);
    assert.ok(!next.batches.some((batch) => batch.names.includes('x')));
  });

  it('counts bytes toward the queue limit too, and never an unbounded sender', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 0, maxQueuedBytes: 1000 });
    const held = queue.send([event('a', 600)], bounded);
    assert.throws(() => queue.send([event('b', 500)], bounded), QueueFullError);
    const forwarded = queue.send([event('spooled', 5000)], { bounded: false });
    assert.equal(queue.depth, 1, "an unbounded sender's records are not counted");
    await next.acknowledgeAll();
    await Promise.all([held, forwarded]);
    assert.equal(queue.depth, 0);
  });

  it('answers 503 once the answer deadline passed, while the batch is still out', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 0 }, { retryMs: 30, requestTimeoutMs: 20 });
    const waiting = queue.send([event('a')], bounded);
    await assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof KafkaFailure);
      assert.equal(error.kind, 'unavailable');
      assert.match(error.reason, /did not acknowledge within 50 ms/);
      return true;
    });
    assert.equal(queue.depth, 1, 'still counted until Kafka answers');
    next.batches[0]?.settle();
    await tick();
    assert.equal(queue.depth, 0);
  });

  it('hands over nothing of a sender answered before its batch left', async () => {
    const next = new ControlledDelivery();
    const queue = queueWith(next, { lingerMs: 0 });
    const busy = queue.send([event('x')], bounded);
    await tick();
    const stop = new AbortController();
    const stopped = queue.send([event('a')], { bounded: false, signal: stop.signal });
    const kept = queue.send([event('b')], bounded);
    stop.abort(new Error('stopping'));
    await assert.rejects(stopped, /stopping/);
    await next.acknowledgeAll();
    await Promise.all([busy, kept]);
    assert.deepEqual(
      next.batches.map((batch) => batch.names),
      [['x'], ['b']],
    );
  });
});
