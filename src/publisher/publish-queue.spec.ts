import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchSettings } from './publisher.settings.js';
import { EventEnvelope } from './event-envelope.js';
import { KafkaFailure } from '../kafka/index.js';
import { PublishQueue, BatchSender, QueueFullError } from './publish-queue.js';
import { RecordsRefused } from './records-refused.js';

/** Stands in for Kafka: each send waits until the test settles it. */
class ControlledSender implements BatchSender {
  readonly sent: { names: string[]; settle: (error?: Error) => void }[] = [];

  send(envelopes: readonly EventEnvelope[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sent.push({
        names: envelopes.map((envelope) => envelope.name),
        settle: (error) => (error ? reject(error) : resolve()),
      });
    });
  }
}

const settings: BatchSettings = {
  maxEvents: 3,
  maxBytes: 1024 * 1024,
  lingerMs: 5,
  maxInFlight: 4,
  maxQueuedEvents: 10,
  maxQueuedBytes: 1024 * 1024,
};

function event(name: string): EventEnvelope {
  return EventEnvelope.fromEvent({ name, content: {} }, new Date(0), { topic: 'event_logs' });
}

const ANSWER_WITHIN_MS = 60_000;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const linger = () => new Promise((resolve) => setTimeout(resolve, settings.lingerMs + 5));

describe('PublishQueue', () => {
  it('sends at once when idle, and coalesces what arrives meanwhile after the linger', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 100 }, ANSWER_WITHIN_MS);
    const first = queue.enqueue([event('a')]);
    await tick();
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['a']],
      'nothing in flight: no linger',
    );
    const second = queue.enqueue([event('b')]);
    const third = queue.enqueue([event('c')]);
    await tick();
    assert.equal(sender.sent.length, 1, 'a batch in flight: the next ones wait for the linger');
    await sleep(120);
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['a'], ['b', 'c']],
    );
    sender.sent.forEach((batch) => batch.settle());
    await Promise.all([first, second, third]);
    assert.equal(queue.depth, 0);
  });

  it('one sender at a time: each event goes at once, however soon after the last', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 100 }, ANSWER_WITHIN_MS);
    for (const name of ['a', 'b', 'c']) {
      const answered = queue.enqueue([event(name)]);
      await tick();
      assert.equal(sender.sent.at(-1)?.names[0], name, `${name} went without a linger`);
      sender.sent.at(-1)?.settle();
      await answered;
    }
  });

  it('several senders at once: at most one batch per linger, even when Kafka answers sooner', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 100 }, ANSWER_WITHIN_MS);
    const first = queue.enqueue([event('a')]);
    await tick();
    const second = queue.enqueue([event('b')]);
    sender.sent[0]?.settle();
    await first;
    await tick();
    assert.equal(sender.sent.length, 1, 'b arrived while a was in flight: it waits out the linger');
    const third = queue.enqueue([event('c')]);
    await sleep(120);
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['a'], ['b', 'c']],
    );
    sender.sent[1]?.settle();
    await Promise.all([second, third]);
  });

  it('sends a full batch at once, without waiting for the linger', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, settings, ANSWER_WITHIN_MS);
    const busy = queue.enqueue([event('x')]);
    const done = queue.enqueue([event('a'), event('b'), event('c'), event('d')]);
    await tick();
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['x'], ['a', 'b', 'c']],
    );
    await linger();
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['x'], ['a', 'b', 'c'], ['d']],
    );
    sender.sent.forEach((batch) => batch.settle());
    await Promise.all([busy, done]);
  });

  it('answers a request only when all of its events are acknowledged', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 0 }, ANSWER_WITHIN_MS);
    let settled = false;
    const done = queue
      .enqueue([event('a'), event('b'), event('c'), event('d')])
      .then(() => (settled = true));
    await tick();
    sender.sent[0]?.settle();
    await tick();
    assert.equal(settled, false, 'the fourth event is still in flight');
    sender.sent[1]?.settle();
    await done;
    assert.equal(settled, true);
  });

  it('never has two batches with the same key in flight, so a key keeps its order', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 0 }, ANSWER_WITHIN_MS);
    const first = queue.enqueue([event('a'), event('b')]);
    await tick();
    const second = queue.enqueue([event('c'), event('a')]);
    await tick();
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['a', 'b'], ['c']],
    );
    sender.sent[0]?.settle();
    await first;
    await tick();
    assert.deepEqual(
      sender.sent.map((batch) => batch.names),
      [['a', 'b'], ['c'], ['a']],
    );
    sender.sent.slice(1).forEach((batch) => batch.settle());
    await second;
  });

  it('fails only the requests whose events were in the failed batch', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(
      sender,
      { ...settings, maxEvents: 1, lingerMs: 0 },
      ANSWER_WITHIN_MS,
    );
    const failing = queue.enqueue([event('a')]);
    const fine = queue.enqueue([event('b')]);
    await tick();
    sender.sent[0]?.settle(new Error('kafka down'));
    sender.sent[1]?.settle();
    await assert.rejects(failing, /kafka down/);
    await fine;
    assert.equal(queue.depth, 0);
  });

  it('refuses at once what would overfill it, taking nothing of that request', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 0 }, ANSWER_WITHIN_MS);
    const held = queue.enqueue(Array.from({ length: 8 }, (_, i) => event(`e${i}`)));
    assert.throws(() => queue.enqueue([event('x'), event('y'), event('z')]), QueueFullError);
    assert.equal(queue.depth, 8);
    await tick();
    sender.sent.forEach((batch) => batch.settle());
    await tick();
    sender.sent.forEach((batch) => batch.settle());
    await tick();
    sender.sent.forEach((batch) => batch.settle());
    await held;
    await queue.enqueue([]);
  });

  it('fails only the sender of a record Kafka refused, and acknowledges the records batched beside it', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 100 }, ANSWER_WITHIN_MS);
    const first = queue.enqueue([event('first')]);
    await tick();
    const innocent = queue.enqueue([event('small')]);
    const bad = event('big');
    const guilty = queue.enqueue([event('small-too'), bad]);
    sender.sent[0]?.settle();
    await first;
    await linger();
    await sleep(100);
    assert.deepEqual(sender.sent[1]?.names, ['small', 'small-too', 'big']);
    sender.sent[1]?.settle(
      new RecordsRefused(
        new Map([[bad, { failure: KafkaFailure.refused('MESSAGE_TOO_LARGE: too big') }]]),
      ),
    );
    await innocent;
    await assert.rejects(guilty, (error: unknown) => {
      assert.ok(error instanceof KafkaFailure);
      assert.equal(error.kind, 'rejected');
      assert.match(error.reason, /MESSAGE_TOO_LARGE/);
      return true;
    });
    assert.equal(queue.depth, 0);
  });

  it('answers 503 once the answer deadline passed, while Kafka still holds the batch', async () => {
    const sender = new ControlledSender();
    const queue = new PublishQueue(sender, { ...settings, lingerMs: 0 }, 50);
    const waiting = queue.enqueue([event('a')]);
    await assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof KafkaFailure);
      assert.equal(error.kind, 'unavailable');
      assert.match(error.reason, /did not acknowledge within 50 ms/);
      return true;
    });
    assert.equal(queue.depth, 1, 'still counted until Kafka answers');
    sender.sent[0]?.settle();
    await tick();
    assert.equal(queue.depth, 0);
  });
});
