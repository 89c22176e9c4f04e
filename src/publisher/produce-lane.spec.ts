import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventEnvelope } from './event-envelope.js';
import { ProduceLane } from './produce-lane.js';

/** Stands in for Kafka: each request waits until the test settles it. */
class ControlledRequests {
  readonly requests: { names: string[]; settle: (error?: Error) => void }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  send = (envelopes: readonly EventEnvelope[]): Promise<void> => {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.requests.push({
        names: envelopes.map((envelope) => envelope.name),
        settle: (error) => {
          this.inFlight--;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  };
}

const batch = (...names: string[]) =>
  names.map((name) =>
    EventEnvelope.fromEvent({ name, content: {} }, new Date(0), { topic: 'event_logs' }),
  );
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ProduceLane', () => {
  it('sends one request at a time, and what waited goes together next', async () => {
    const kafka = new ControlledRequests();
    const lane = new ProduceLane(kafka.send, { maxEvents: 100, maxBytes: 1 << 20 });
    const first = lane.run(batch('a'));
    const second = lane.run(batch('b', 'c'));
    const third = lane.run(batch('d'));
    await tick();
    assert.deepEqual(
      kafka.requests.map(({ names }) => names),
      [['a']],
    );
    kafka.requests[0]?.settle();
    await first;
    await tick();
    assert.deepEqual(kafka.requests[1]?.names, ['b', 'c', 'd']);
    kafka.requests[1]?.settle();
    await Promise.all([second, third]);
    assert.equal(kafka.maxInFlight, 1);
  });

  it('sends nothing else while a failed request is being dealt with, and fails its whole group', async () => {
    const kafka = new ControlledRequests();
    const lane = new ProduceLane(kafka.send, { maxEvents: 100, maxBytes: 1 << 20 });
    const first = lane.run(batch('a'));
    await tick();
    const second = lane.run(batch('b'));
    const third = lane.run(batch('c'));
    await tick();
    kafka.requests[0]?.settle();
    await first;
    await tick();
    kafka.requests[1]?.settle(new Error('connection cut'));
    await assert.rejects(second, /connection cut/);
    await assert.rejects(third, /connection cut/);
    const fourth = lane.run(batch('d'));
    await tick();
    assert.deepEqual(kafka.requests[2]?.names, ['d']);
    kafka.requests[2]?.settle();
    await fourth;
    assert.equal(kafka.maxInFlight, 1);
  });

  it('keeps a merged request within the batch limits', async () => {
    const kafka = new ControlledRequests();
    const lane = new ProduceLane(kafka.send, { maxEvents: 3, maxBytes: 1 << 20 });
    const runs = [lane.run(batch('a')), lane.run(batch('b', 'c')), lane.run(batch('d', 'e'))];
    await tick();
    kafka.requests[0]?.settle();
    await tick();
    await tick();
    assert.deepEqual(kafka.requests[1]?.names, ['b', 'c']);
    kafka.requests[1]?.settle();
    await tick();
    await tick();
    assert.deepEqual(kafka.requests[2]?.names, ['d', 'e']);
    kafka.requests[2]?.settle();
    await Promise.all(runs);
  });
});
